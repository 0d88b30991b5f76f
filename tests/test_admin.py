"""Django's admin is no back door: every form it offers is posted as a browser would, and
none of them can leave a row that breaks a rule.

The table below says, for every model registered in the admin, what its add, change and
delete pages may do. A model registered without a row fails
`test_every_registered_model_is_in_the_table`, so nobody ships an admin page whose writes
nobody decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from claims import services
from claims.models import (
    Claim,
    ClaimStatus,
    Corroboration,
    Credibility,
    ExportRecord,
    Independence,
    Note,
    Rating,
    Stance,
)
from sources.models import Article, ImportBatch, ImportFile, Publisher
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
    UserFactory,
)
from workbench.models import User

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rules:
    """What the admin may do with a model: "service" = saved through the app's services."""

    add: str  # "service" or "refused"
    change: str  # "service", "refused" or "nothing" (every field shown read-only)
    delete: bool


TABLE: dict[str, Rules] = {
    "claims.claim": Rules(add="refused", change="service", delete=False),
    "claims.corroboration": Rules(add="refused", change="refused", delete=False),
    "claims.rating": Rules(add="refused", change="refused", delete=False),
    "claims.note": Rules(add="refused", change="refused", delete=False),
    "claims.exportrecord": Rules(add="refused", change="refused", delete=False),
    "sources.publisher": Rules(add="service", change="service", delete=False),
    "sources.article": Rules(add="refused", change="refused", delete=False),
    "sources.importbatch": Rules(add="refused", change="refused", delete=False),
    "sources.importfile": Rules(add="refused", change="refused", delete=False),
    "auth.group": Rules(add="refused", change="refused", delete=False),
    # Django's own user forms (username and password checked); users are deactivated.
    "workbench.user": Rules(add="form", change="form", delete=False),
    # django-axes' login-throttling records: read-only there; deleting one unlocks a login.
    "axes.accessattempt": Rules(add="refused", change="nothing", delete=True),
    "axes.accesslog": Rules(add="refused", change="nothing", delete=True),
    "axes.accessfailurelog": Rules(add="refused", change="nothing", delete=True),
    "django_tasks_database.dbtaskresult": Rules(add="refused", change="refused", delete=False),
}


def test_every_registered_model_is_in_the_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(TABLE), (
        "Decide what the admin may do with the model and add it to TABLE "
        f"(missing: {sorted(registered - set(TABLE))}, stale: {sorted(set(TABLE) - registered)})"
    )


# -- Posting the admin's own forms --------------------------------------------------------------


class _FormReader(HTMLParser):
    """Collect what a browser would submit from one <form>: inputs, selects, textareas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None
        self._options: list[str] = []
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if tag == "option" and self._select:
            self._options.append(a.get("value", ""))
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))
        if not self.inside or not a.get("name"):
            return
        name = a["name"]
        if tag == "input" and a.get("type") not in {"submit", "button", "file"}:
            checkable = a.get("type") in {"checkbox", "radio"}
            if checkable and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if checkable else ""))
        elif tag == "select":
            self._select, self._options, self._multiple = name, [], "multiple" in a
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.inside and self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            # A single select with nothing selected submits its first option.
            if not self.data[self._select] and not self._multiple and self._options:
                self.data[self._select].append(self._options[0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_data(response, form_id: str) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data


def post_form(client, url: str, model, **changes):
    """GET the admin page, submit its form as shown with `changes` typed in; return the answer."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = form_data(page, f"{model._meta.model_name}_form")
    data.update({k: v if isinstance(v, list) else [str(v)] for k, v in changes.items()})
    return client.post(url, data)


def errors(response) -> list[str]:
    """Every error message on an admin form page (field and non-field)."""
    form = response.context["adminform"].form
    return [m for messages in form.errors.values() for m in messages]


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def superuser(make_user):
    return make_user("admin1", "admin")


@pytest.fixture
def aclient(client, superuser):
    client.force_login(superuser)
    return client


def support(claim, outlet="Reuters"):
    return CorroborationFactory(
        claim=claim, stance=Stance.SUPPORTS, independence=Independence.INDEPENDENT, outlet=outlet
    )


# -- Claims: the verdict through the services ---------------------------------------------------


def change_claim(client, claim, **changes):
    return post_form(client, admin_url(Claim, "change", claim.pk), Claim, **changes)


def test_claim_marked_verified_without_evidence_is_refused_saying_what_is_missing(aclient, claim):
    response = change_claim(aclient, claim, status="verified", reason="Looks right")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "Cannot mark as verified: it needs at least one supporting corroboration judged "
        "independent (this claim has none)."
    ]
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.version) == (ClaimStatus.UNREVIEWED, None, 1)
    assert claim.history.count() == 1  # the import's record only: the rehearsal left nothing


def test_claim_marked_verified_without_a_reason_is_refused(aclient, claim):
    support(claim)

    response = change_claim(aclient, claim, status="verified", reason="")

    assert response.context["adminform"].form.errors["reason"] == [
        "A reason is required to mark a claim as verified."
    ]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNREVIEWED


def test_claim_verified_in_the_admin_records_reviewer_reason_and_version(aclient, superuser, claim):
    support(claim)

    response = change_claim(aclient, claim, status="verified", reason="Reuters confirms")

    assert response.status_code == 302, errors(response)
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.version) == ("verified", superuser, 2)
    assert claim.reviewed_at is not None
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (superuser, "Reuters confirms")
    assert claim.history.count() == 2  # one recorded change: the service's, not a second save


def test_claim_refuted_in_the_admin_needs_a_contradicting_corroboration(aclient, claim):
    response = change_claim(aclient, claim, status="refuted", reason="Plant closed in 2023")

    assert "it needs at least one contradicting corroboration" in errors(response)[0]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNREVIEWED


def test_claim_changed_in_the_admin_on_a_stale_page_is_refused_listing_the_change(
    aclient, claim, make_user
):
    lead = make_user("lead1", "lead")
    url = admin_url(Claim, "change", claim.pk)
    page = aclient.get(url)  # the admin opens the claim at version 1
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=1
    )
    data = form_data(page, "claim_form") | {"status": ["unverifiable"]}

    response = aclient.post(url, data)

    (message,) = errors(response)
    assert message.startswith("Not saved: someone changed this claim since you opened it (")
    assert "status: Unreviewed → In review (lead1, " in message
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (ClaimStatus.IN_REVIEW, 2)


def test_claim_credibility_one_in_the_admin_needs_two_independent_sources(aclient, claim):
    support(claim)

    response = change_claim(aclient, claim, credibility=Credibility.CONFIRMED)

    assert "this claim has 1)" in response.context["adminform"].form.errors["credibility"][0]
    claim.refresh_from_db()
    assert claim.credibility is None  # not rated yet, as before


def test_claim_admin_change_is_all_or_nothing(aclient, claim):
    support(claim)

    # The status is fine, the credibility is refused: neither is saved.
    response = change_claim(
        aclient, claim, status="verified", reason="Reuters", credibility=Credibility.CONFIRMED
    )

    assert list(response.context["adminform"].form.errors) == ["credibility"]
    claim.refresh_from_db()
    assert (claim.status, claim.credibility, claim.version) == ("unreviewed", None, 1)


def test_claim_admin_saves_status_credibility_and_assignee_as_recorded_changes(
    aclient, superuser, claim, make_user
):
    reviewer = make_user("reviewer1", "reviewer")

    response = change_claim(
        aclient, claim, status="in_review", credibility=3, assignee=reviewer.pk, reason="Triage"
    )

    assert response.status_code == 302, errors(response)
    claim.refresh_from_db()
    assert (claim.status, claim.credibility, claim.assignee, claim.version) == (
        "in_review",
        3,
        reviewer,
        4,
    )
    reasons = [r.history_change_reason for r in claim.history.order_by("history_id")][1:]
    assert reasons == ["Triage", "Triage", "assigned to reviewer1"]


def test_claim_span_and_text_cannot_be_changed_in_the_admin(aclient, claim):
    before = (claim.start, claim.end, claim.text, claim.kind)

    response = change_claim(aclient, claim, start=0, end=3, text="Forged", kind="chrome")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.text, claim.kind) == before
    assert claim.article.text[claim.start : claim.end] == claim.text


def test_claim_refused_at_the_real_save_rolls_back_and_says_why(
    aclient, claim, make_user, monkeypatch
):
    """Another reviewer's edit between the form's check and its save: nothing half-written."""
    from workbench.admin import ServiceAdmin

    lead = make_user("lead1", "lead")
    support(claim)
    checked_form = ServiceAdmin.save_form

    def save_form_after_a_concurrent_edit(self, request, form, change):
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=None
        )
        return checked_form(self, request, form, change)

    monkeypatch.setattr(ServiceAdmin, "save_form", save_form_after_a_concurrent_edit)
    url = admin_url(Claim, "change", claim.pk)

    response = change_claim(aclient, claim, status="verified", reason="Reuters", credibility=3)

    assert response.status_code == 302 and response["Location"] == url
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0].startswith(
        "Not saved: someone changed this claim since you opened it "
        "(status: Unreviewed → In review (lead1, "
    )
    claim.refresh_from_db()
    # The concurrent edit was rolled back with the refused request (same test transaction),
    # and none of the admin's changes was kept.
    assert (claim.status, claim.credibility, claim.version) == ("unreviewed", None, 1)


def test_claim_cannot_be_added_in_the_admin(aclient, claim):
    url = admin_url(Claim, "add")
    changelist = aclient.get(admin_url(Claim, "changelist"))

    assert url not in changelist.content.decode()
    assert aclient.get(url).status_code == 403
    response = aclient.post(
        url, {"article": claim.article_id, "start": 0, "end": 8, "text": "Headline"}
    )
    assert response.status_code == 403
    assert Claim.objects.count() == 1


def test_claim_cannot_be_deleted_in_the_admin(aclient, claim):
    assert aclient.post(admin_url(Claim, "delete", claim.pk), {"post": "yes"}).status_code == 403
    response = aclient.post(
        admin_url(Claim, "changelist"),
        {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes"},
    )
    assert response.status_code in {200, 302}
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_no_admin_history_page_reverts_a_change(aclient, claim, make_user):
    lead = make_user("lead1", "lead")
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=1
    )
    first = claim.history.earliest()
    url = reverse("admin:claims_claim_simple_history", args=[claim.pk, first.history_id])

    page = aclient.get(url)
    response = aclient.post(url, form_data(page, "claim_form"))

    assert page.status_code == 200 and "Revert" not in page.content.decode()
    assert response.status_code == 403
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (ClaimStatus.IN_REVIEW, 2)


# -- Evidence, ratings, notes, articles, imports, exports, roles: read-only ---------------------


def _import_file():
    batch = ImportBatch.objects.create(origin="upload")
    return ImportFile.objects.create(batch=batch, name="magnets.txt", size=10)


READ_ONLY = {
    "corroboration": (Corroboration, lambda: support(ClaimFactory()), {"stance": "contradicts"}),
    "rating": (Rating, RatingFactory, {"confidence": "high"}),
    "note": (Note, NoteFactory, {"text": "Rewritten behind the author's back"}),
    "article": (Article, ArticleFactory, {"title": "Retitled", "text": "Shorter"}),
    "import batch": (
        ImportBatch,
        lambda: ImportBatch.objects.create(origin="upload"),
        {"status": "done"},
    ),
    "import file": (ImportFile, _import_file, {"outcome": "imported"}),
    "export record": (
        ExportRecord,
        lambda: ExportRecord.objects.create(format="csv", claim_count=3),
        {"claim_count": "0"},
    ),
    "role": (Group, lambda: Group.objects.get(name="reviewer"), {"name": "superusers"}),
}


@pytest.mark.parametrize("what", list(READ_ONLY))
def test_read_only_model_cannot_be_added_changed_or_deleted_in_the_admin(aclient, what):
    model, make, changes = READ_ONLY[what]
    obj = make()
    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    count = model.objects.count()
    change_url = admin_url(model, "change", obj.pk)

    assert aclient.get(change_url).status_code == 200  # shown, read-only
    assert aclient.get(admin_url(model, "add")).status_code == 403
    assert aclient.post(admin_url(model, "add"), changes).status_code == 403
    assert post_form(aclient, change_url, model, **changes).status_code == 403
    assert aclient.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403

    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before
    assert model.objects.count() == count


def test_article_add_with_an_empty_form_is_refused(aclient):
    assert aclient.post(admin_url(Article, "add"), {}).status_code == 403
    assert not Article.objects.exists()


def test_evidence_change_page_shows_no_field_and_no_save_button(aclient, claim):
    evidence = support(claim)
    page = aclient.get(admin_url(Corroboration, "change", evidence.pk)).content.decode()
    assert 'name="_save"' not in page
    assert 'name="stance"' not in page  # shown as text, not as a field


def test_tasks_cannot_be_added_or_changed_in_the_admin(aclient):
    task = DBTaskResult.objects.create(
        task_path="imports.tasks.process_import_batch", args_kwargs={"args": [], "kwargs": {}}
    )
    assert aclient.post(admin_url(DBTaskResult, "add"), {}).status_code == 403
    assert aclient.post(admin_url(DBTaskResult, "change", task.pk), {}).status_code == 403


def test_login_records_cannot_be_added_and_their_change_form_changes_nothing(aclient):
    attempt = AccessAttempt.objects.create(
        username="mallory", ip_address="192.0.2.1", failures_since_start=5, user_agent="x"
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert aclient.post(admin_url(model, "add"), {"username": "x"}).status_code == 403

    post_form(
        aclient,
        admin_url(AccessAttempt, "change", attempt.pk),
        AccessAttempt,
        username="alice",
        failures_since_start="0",
    )

    attempt.refresh_from_db()
    assert (attempt.username, attempt.failures_since_start) == ("mallory", 5)


# -- Publishers: through publisher_update, with the publisher page's rules -------------------


def add_publisher(client, **changes):
    return post_form(client, admin_url(Publisher, "add"), Publisher, **changes)


def test_publisher_add_with_an_empty_form_is_refused_naming_the_fields(aclient):
    count = Publisher.objects.count()

    response = add_publisher(aclient)

    form = response.context["adminform"].form
    assert form.errors["name"] == ["This field is required."]
    assert form.errors["reason"] == ["This field is required."]
    assert Publisher.objects.count() == count


def test_publisher_added_in_the_admin_is_recorded_with_its_reason_and_locked(aclient, superuser):
    response = add_publisher(
        aclient, name="Harbour Daily", reliability="C", country="KR", reason="New outlet"
    )

    assert response.status_code == 302, errors(response)
    publisher = Publisher.objects.get(name="Harbour Daily")
    record = publisher.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        superuser,
        "New outlet",
    )
    assert {"name", "reliability", "country"} <= set(publisher.locked_fields)


def test_publisher_with_a_taken_name_is_refused(aclient):
    PublisherFactory(name="Harbour Daily")

    response = add_publisher(aclient, name="Harbour Daily", reason="Duplicate")

    assert "'Harbour Daily' is already in the registry: Harbour Daily." in errors(response)
    assert Publisher.objects.filter(name="Harbour Daily").count() == 1


def test_publisher_change_without_a_reason_is_refused(aclient):
    publisher = PublisherFactory(name="Harbour Daily", reliability="F")
    url = admin_url(Publisher, "change", publisher.pk)

    response = post_form(aclient, url, Publisher, reliability="A", reason="")

    assert response.context["adminform"].form.errors["reason"] == ["This field is required."]
    publisher.refresh_from_db()
    assert publisher.reliability == "F"


def test_publisher_cannot_be_made_its_own_owner_in_the_admin(aclient):
    group = PublisherFactory(name="Harbour Media Group")
    daily = PublisherFactory(name="Harbour Daily", parent=group)
    url = admin_url(Publisher, "change", group.pk)

    response = post_form(aclient, url, Publisher, parent=daily.pk, reason="Restructure")

    assert response.context["adminform"].form.errors["parent"] == [
        "That would make the publisher its own owner."
    ]
    group.refresh_from_db()
    assert group.parent is None


def test_publisher_domain_that_is_no_host_is_refused_in_the_admin_naming_the_field(aclient):
    publisher = PublisherFactory(name="Harbour Daily", domains=["harbourdaily.example"])
    url = admin_url(Publisher, "change", publisher.pk)

    response = post_form(aclient, url, Publisher, domains="not a domain!!", reason="Typo")

    assert response.context["adminform"].form.errors["domains"] == [
        "'not a domain!!' is not a web domain (e.g. globaltimes.cn or en.people.cn)."
    ]
    publisher.refresh_from_db()
    assert publisher.domains == ["harbourdaily.example"]


def test_publisher_changed_in_the_admin_goes_through_the_service(aclient, superuser):
    publisher = PublisherFactory(name="Harbour Daily", reliability="F")
    url = admin_url(Publisher, "change", publisher.pk)

    response = post_form(aclient, url, Publisher, reliability="B", reason="Graded after review")

    assert response.status_code == 302, errors(response)
    publisher.refresh_from_db()
    assert publisher.reliability == "B"
    assert "reliability" in publisher.locked_fields  # registry loads keep a lead's grade
    record = publisher.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        superuser,
        "Graded after review",
    )


def test_publisher_cannot_be_deleted_in_the_admin(aclient):
    publisher = PublisherFactory(name="Harbour Daily")
    url = admin_url(Publisher, "delete", publisher.pk)
    assert aclient.post(url, {"post": "yes"}).status_code == 403
    assert Publisher.objects.filter(pk=publisher.pk).exists()


# -- Users ------------------------------------------------------------------------------------


def test_user_add_with_an_empty_form_is_refused(aclient):
    count = User.objects.count()

    response = post_form(aclient, admin_url(User, "add"), User)

    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert User.objects.count() == count


def test_user_cannot_be_deleted_so_their_ratings_stay(aclient, claim):
    rating = RatingFactory(claim=claim, reviewer=UserFactory(username="carol"))
    url = admin_url(User, "delete", rating.reviewer_id)
    assert aclient.post(url, {"post": "yes"}).status_code == 403
    assert Rating.objects.filter(pk=rating.pk).exists()


def test_every_admin_page_loads_for_the_admin(aclient, claim):
    """The pages the tests post to exist and render (no 500 on a plain GET)."""
    support(claim)
    NoteFactory(claim=claim)
    RatingFactory(claim=claim)
    for model in admin.site._registry:
        assert aclient.get(admin_url(model, "changelist")).status_code == 200, model
    assert aclient.get(admin_url(Claim, "change", claim.pk)).status_code == 200
