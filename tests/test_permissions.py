"""Who may open what: every URL of our apps, for anonymous users and each role.

The table below is the specification. A URL added to `claims`, `sources`, `imports`,
`webhooks`, `families` or `desk` without a row here fails
`test_every_url_of_our_apps_is_in_the_table`, so nobody ships a view whose access nobody
decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimKind, ClaimStatus, Stance
from claims.report_jobs import report_job_create, report_job_run
from claims.triage import parse_filters
from desk.services import saved_view_save
from evidence.fetching import Fetched
from evidence.models import Archive, Capture
from evidence.services import store_body
from sources.models import ImportBatch
from sources.services import article_update, publisher_update
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
)
from webhooks.services import deliveries_create, endpoint_create, event_payload

pytestmark = pytest.mark.django_db

OUR_APPS = ("claims", "sources", "imports", "webhooks", "families", "evidence", "desk")
ROLES = ("reviewer", "lead", "admin")


@dataclass
class Objects:
    """The rows the URLs point at, made afresh for every request."""

    claim: object
    corroboration: object
    note: object
    publisher: object
    article: object
    history_id: int
    users: dict = field(default_factory=dict)
    batch: object = None
    report_job: object = None
    endpoint: object = None
    delivery: object = None
    saved_view: object = None


@dataclass(frozen=True)
class Route:
    """Expected status per role for each method the view accepts; `data` builds the POST."""

    get: dict[str, int] | None = None
    post: dict[str, int] | None = None
    data: object = None  # callable(Objects) -> dict

    @property
    def methods(self) -> list[str]:
        return [m for m in ("GET", "POST") if getattr(self, m.lower()) is not None]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _article_change(o: Objects) -> int:
    """A recorded correction of the article's metadata, to revert."""
    article_update(article=o.article, by=o.users["lead"], reason="typo", byline="Staff")
    return o.article.history.latest("history_id").history_id


def _publisher_change(o: Objects) -> int:
    """A recorded change of the publisher's registry entry, to revert."""
    publisher_update(publisher=o.publisher, by=o.users["lead"], reason="graded", reliability="B")
    return o.publisher.history.latest("history_id").history_id


def _upload(o: Objects) -> dict:
    text = b"Magnet plant opens\nThe plant produced 900 tonnes in 2024. Output rose 5 percent.\n"
    return {"files": SimpleUploadedFile("magnets.txt", text, content_type="text/plain")}


def _second_sentence(o: Objects) -> dict[str, int]:
    """The offsets of the article's second sentence (no claim has it yet)."""
    start = o.article.text.index("Output")
    return {"start": start, "end": len(o.article.text)}


def _neighbour(o: Objects) -> Claim:
    span = _second_sentence(o)
    text = o.article.text[span["start"] : span["end"]]
    return Claim.objects.create(article=o.article, text=text, kind=ClaimKind.STATEMENT, **span)


ADMIN_ONLY_GET = {"reviewer": 403, "lead": 403, "admin": 200}
ADMIN_ONLY_POST = {"reviewer": 403, "lead": 403, "admin": 302}

ROUTES: dict[str, Route] = {
    "claims:list": Route(get=everyone(200)),
    "claims:bulk": Route(
        post=everyone(200),
        data=lambda o: {"ids": [o.claim.pk], "action": "status", "status": "in_review"},
    ),
    # Exports and the report: every role has claims.export_claim.
    "claims:export": Route(get=everyone(200)),
    "claims:report": Route(get=everyone(200)),
    # The PDF: GET shows the button, POST asks for it (made at once here: one claim) and goes
    # to the job's page; a job is seen and downloaded by its owner (the reviewer) or an admin.
    "claims:report_pdf": Route(get=everyone(200), post=everyone(302)),
    "claims:report_job": Route(get={"reviewer": 200, "lead": 403, "admin": 200}),
    "claims:report_download": Route(get={"reviewer": 200, "lead": 403, "admin": 200}),
    "claims:detail": Route(get=everyone(200)),
    "claims:take": Route(post=everyone(302)),
    "claims:quick_status": Route(post=everyone(302), data=lambda o: {"status": "in_review"}),
    "claims:status": Route(
        post=everyone(302), data=lambda o: {"status": "in_review", "version": o.claim.version}
    ),
    "claims:credibility": Route(
        post=everyone(302), data=lambda o: {"credibility": 3, "version": o.claim.version}
    ),
    "claims:assign": Route(
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"assignee": o.users["reviewer"].pk},
    ),
    "claims:corroboration_add": Route(
        post=everyone(302),
        data=lambda o: {"stance": "supports", "outlet": "Reuters", "url": "https://reuters.com/a"},
    ),
    # One click attaches a claim of another article as evidence (candidate evidence panel).
    "claims:candidate_attach": Route(
        post=everyone(302),
        data=lambda o: {"evidence_claim": ClaimFactory().pk, "stance": "supports"},
    ),
    "claims:corroboration_edit": Route(
        get=everyone(200),
        post=everyone(302),
        data=lambda o: {
            "stance": "context",
            "outlet": "Reuters",
            "url": "https://reuters.com/b",
            "version": o.corroboration.version,
        },
    ),
    "claims:corroboration_remove": Route(
        post=everyone(302), data=lambda o: {"version": o.corroboration.version}
    ),
    "claims:rating": Route(
        post=everyone(302), data=lambda o: {"confidence": "high", "rationale": "Filings agree."}
    ),
    "claims:note_add": Route(post=everyone(302), data=lambda o: {"text": "Called the plant."}),
    # The note belongs to the reviewer: nobody else may edit it, not even an admin.
    "claims:note_edit": Route(
        get={"reviewer": 200, "lead": 403, "admin": 403},
        post={"reviewer": 302, "lead": 403, "admin": 403},
        data=lambda o: {"text": "Called the plant twice.", "version": o.note.version},
    ),
    "claims:revert": Route(
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"kind": "claim", "history_id": o.history_id, "reason": "Too early"},
    ),
    # Reviewers fix what the machine got wrong: claim boundaries, kind and speaker.
    "claims:split": Route(
        post=everyone(302), data=lambda o: {"at": o.claim.start + 9, "version": o.claim.version}
    ),
    "claims:merge": Route(
        post=everyone(302),
        data=lambda o: {"with": _neighbour(o).pk, "version": o.claim.version},
    ),
    "claims:span": Route(
        post=everyone(302),
        data=lambda o: {"start": o.claim.start, "end": o.claim.end - 1, "version": o.claim.version},
    ),
    "claims:kind": Route(
        post=everyone(302),
        data=lambda o: {"kind": "quote", "speaker": "Plant owner", "version": o.claim.version},
    ),
    # At the article's address; a claim of any selected text of it.
    "claims:create": Route(
        post=everyone(302), data=lambda o: {**_second_sentence(o), "kind": "statement"}
    ),
    "sources:article_list": Route(get=everyone(200)),
    "sources:article_detail": Route(get=everyone(200)),
    # Leads correct what was read off the page; reviewers see it and ask a lead.
    "sources:article_edit": Route(
        get={"reviewer": 403, "lead": 200, "admin": 200},
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"title": "Magnet plant opens", "reason": "Headline as printed."},
    ),
    "sources:article_revert": Route(
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"history_id": _article_change(o), "reason": "Wrong headline"},
    ),
    "sources:cluster": Route(get=everyone(200)),
    "sources:publisher_list": Route(get=everyone(200)),
    "sources:publisher_add": Route(
        get={"reviewer": 403, "lead": 200, "admin": 200},
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {
            "name": "Harbour Post",
            "domains": "harbourpost.example",
            "country": "Malaysia",
            "ownership": "private",
            "reliability": "C",
            "reason": "Seen on imported pages.",
        },
    ),
    "sources:publisher_detail": Route(
        get=everyone(200),
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {
            "name": o.publisher.name,
            "ownership": o.publisher.ownership,
            "reliability": "B",
            "country": "CN",
            "reason": "Graded after review.",
        },
    ),
    # Leads undo a change of a registry entry from its page's history.
    "sources:publisher_revert": Route(
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"history_id": _publisher_change(o), "reason": "Graded too early"},
    ),
    # Uploading starts a background batch and goes to its page.
    "imports:upload": Route(
        get={"reviewer": 403, "lead": 403, "admin": 200},
        post={"reviewer": 403, "lead": 403, "admin": 302},
        data=_upload,
    ),
    "imports:batch": Route(get={"reviewer": 403, "lead": 403, "admin": 200}),
    "imports:history": Route(get={"reviewer": 403, "lead": 403, "admin": 200}),
    "imports:report": Route(get={"reviewer": 403, "lead": 403, "admin": 200}),
    "imports:resume": Route(post={"reviewer": 403, "lead": 403, "admin": 302}),
    # Webhooks are the admins' (webhooks.manage_endpoints). A public address: no DNS needed.
    "webhooks:list": Route(get=ADMIN_ONLY_GET),
    "webhooks:add": Route(
        get=ADMIN_ONLY_GET,
        post=ADMIN_ONLY_POST,
        data=lambda o: {"url": "https://93.184.215.14/hook", "events": ["note.added"]},
    ),
    "webhooks:endpoint": Route(
        get=ADMIN_ONLY_GET,
        post=ADMIN_ONLY_POST,
        data=lambda o: {"url": o.endpoint.url, "events": ["rating.saved"], "active": "on"},
    ),
    "webhooks:active": Route(post=ADMIN_ONLY_POST),
    "webhooks:delivery": Route(get=ADMIN_ONLY_GET),
    "webhooks:resend": Route(post=ADMIN_ONLY_POST),
    # Claim families (issue 16): everyone sees them; leads merge, split and revert.
    "families:claim_family": Route(get=everyone(200)),
    "families:merge": Route(
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"other": ClaimFactory().pk, "reason": "One statement"},
    ),
    # The archived copy of evidence: whoever sees the claim (claims.view_claim).
    "evidence:archive": Route(get=everyone(200)),
    "evidence:download": Route(get=everyone(200)),
    # Re-checking evidence whose source went bad: whoever may edit evidence.
    "evidence:link_rechecked": Route(post=everyone(302)),
    # The evidence form filled from a URL: an htmx fragment; opened directly, the claim page.
    "evidence:prefill": Route(get=everyone(302)),
    "families:split": Route(
        post={"reviewer": 403, "lead": 400, "admin": 400}, data=lambda o: {"reason": "Apart"}
    ),
    "families:revert": Route(
        post={"reviewer": 403, "lead": 400, "admin": 400},
        data=lambda o: {"history_id": "1", "reason": "Undo"},
    ),
    # The desk (issue 17): leads hand out and adjudicate; everyone has My work, agreement,
    # activity and saved views (a shared one watched by anyone, deleted by its owner, a lead).
    "desk:mine": Route(get=everyone(200)),
    "desk:handouts": Route(
        get={"reviewer": 403, "lead": 200, "admin": 200},
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {
            "filter": "",
            "reviewers": [o.users["reviewer"].pk],
            "strategy": "round_robin",
            "overlap": 1,
        },
    ),
    "desk:adjudication": Route(get={"reviewer": 403, "lead": 200, "admin": 200}),
    "desk:adjudicate": Route(
        get={"reviewer": 403, "lead": 200, "admin": 200},
        post={"reviewer": 403, "lead": 302, "admin": 302},
        data=lambda o: {"verdict": "unverifiable", "reason": "No source says"},
    ),
    "desk:agreement": Route(get=everyone(200)),
    "desk:activity": Route(get=everyone(200)),
    "desk:claim_activity": Route(get=everyone(200)),
    "desk:article_activity": Route(get=everyone(200)),
    "desk:user_activity": Route(get=everyone(200)),
    "desk:saved_views": Route(get=everyone(200)),
    "desk:saved_view_save": Route(
        post=everyone(302), data=lambda o: {"name": "Quotes", "filter": "kind=quote"}
    ),
    "desk:saved_view_watch": Route(post=everyone(302), data=lambda o: {"watching": "1"}),
    "desk:saved_view_delete": Route(post={"reviewer": 404, "lead": 302, "admin": 404}),
}


def our_url_patterns() -> dict[str, URLPattern]:
    """Walk the URLconf; return {"app:name": pattern} for the views of our apps."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif namespace in OUR_APPS:
                found[f"{namespace}:{p.name}"] = p

    walk(get_resolver().url_patterns, "")
    return found


PATTERNS = our_url_patterns()


def url_for(name: str, o: Objects) -> str:
    """Reverse `name`, filling each `<int:…>` argument with the id of a real row."""
    ids = {
        "pk": {
            "claims": o.claim.pk,
            "families": o.claim.pk,
            "sources:article_detail": o.article.pk,
            "sources:article_edit": o.article.pk,
            "sources:article_revert": o.article.pk,
            "sources:cluster": o.article.pk,
            "sources:publisher_detail": o.publisher.pk,
            "sources:publisher_revert": o.publisher.pk,
            "imports:batch": o.batch.pk,
            "imports:report": o.batch.pk,
            "imports:resume": o.batch.pk,
            "claims:report_job": o.report_job.pk,
            "claims:report_download": o.report_job.pk,
            "webhooks:endpoint": o.endpoint.pk,
            "webhooks:active": o.endpoint.pk,
            "webhooks:delivery": o.delivery.pk,
            "webhooks:resend": o.delivery.pk,
            "desk:adjudicate": o.claim.pk,
            "desk:saved_view_watch": o.saved_view.pk,
            "desk:saved_view_delete": o.saved_view.pk,
        },
        "claim": o.claim.pk,
        "article": o.article.pk,
        "user": o.users["reviewer"].pk,
        "cid": o.corroboration.pk,
        "evidence_id": o.corroboration.pk,
        "claim_id": o.claim.pk,
        "nid": o.note.pk,
        "article_id": o.article.pk,
    }
    kwargs = {}
    for arg in PATTERNS[name].pattern.converters:
        value = ids[arg]
        if isinstance(value, dict):
            value = value.get(name, value.get(name.split(":")[0]))
        kwargs[arg] = value
    return reverse(name, kwargs=kwargs)


def _archived(corroboration) -> None:
    """An archived copy of the evidence (evidence:archive, evidence:download)."""
    body = b"<html><body><p>Harbour ferry timetable.</p></body></html>"
    fetched = Fetched(
        requested_url=corroboration.url,
        retrieved_at=timezone.now(),
        final_url=corroboration.url,
        status_code=200,
        content_type="text/html",
        body=body,
    )
    capture = Capture.objects.create(
        evidence=corroboration,
        purpose="attach",
        requested_url=corroboration.url,
        retrieved_at=fetched.retrieved_at,
        sha256=fetched.sha256,
        body_name=store_body(fetched),
        size=len(body),
        content_type="text/html",
        text="Harbour ferry timetable.",
    )
    Archive.objects.create(evidence=corroboration, url=corroboration.url, capture=capture)


@pytest.fixture
def objects(make_user, settings) -> Objects:
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    users = {role: make_user(f"{role}1", role) for role in ROLES}
    publisher = PublisherFactory(name="Global Times", domains=["globaltimes.cn"])
    article = ArticleFactory(publisher=publisher)
    claim = ClaimFactory(article=article)
    corroboration = CorroborationFactory(claim=claim, stance=Stance.CONTEXT)
    _archived(corroboration)
    note = NoteFactory(claim=claim, author=users["reviewer"])
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=users["lead"], version=None
    )
    history_id = claim.history.latest("history_id").history_id
    claim.refresh_from_db()
    batch = ImportBatch.objects.create(origin="upload", created_by=users["admin"])
    job = report_job_create(
        filters=parse_filters(QueryDict("")), include_notes=True, by=users["reviewer"]
    )
    report_job_run(job_id=job.pk)
    endpoint = endpoint_create(
        url="https://93.184.215.14/hook", events=["note.added"], by=users["admin"]
    )
    (delivery,) = deliveries_create(payload=event_payload(type="note.added", data={}))
    saved_view = saved_view_save(name="Desk", filter="", shared=True, by=users["lead"])
    return Objects(
        claim, corroboration, note, publisher, article, history_id, users, batch, job,
        endpoint=endpoint, delivery=delivery, saved_view=saved_view,
    )  # fmt: skip


def _request(client, method: str, url: str, route: Route, o: Objects):
    if method == "GET":
        return client.get(url)
    return client.post(url, route.data(o) if route.data else {})


CASES = [
    pytest.param(name, method, role, id=f"{name}-{method}-{role}")
    for name, route in ROUTES.items()
    for method in route.methods
    for role in ROLES
]
ANONYMOUS_CASES = [
    pytest.param(name, method, id=f"{name}-{method}")
    for name, route in ROUTES.items()
    for method in route.methods
]
WRONG_METHOD_CASES = [
    pytest.param(name, method, id=f"{name}-{method}")
    for name, route in ROUTES.items()
    for method in ("GET", "POST")
    if method not in route.methods
]


def test_every_url_of_our_apps_is_in_the_table():
    assert set(PATTERNS) == set(ROUTES), (
        "Add the new URL to ROUTES with the status each role gets "
        f"(missing: {sorted(set(PATTERNS) - set(ROUTES))}, "
        f"stale: {sorted(set(ROUTES) - set(PATTERNS))})"
    )


def test_every_url_gets_its_ids_from_real_rows(objects):
    for name in PATTERNS:
        match = get_resolver().resolve(url_for(name, objects))
        assert f"{match.namespace}:{match.url_name}" == name


@pytest.mark.parametrize(("name", "method"), ANONYMOUS_CASES)
def test_anonymous_user_is_sent_to_the_login_page(client, objects, name, method):
    url = url_for(name, objects)
    response = _request(client, method, url, ROUTES[name], objects)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


@pytest.mark.parametrize(("name", "method", "role"), CASES)
def test_role_gets_the_status_in_the_table(client, objects, name, method, role):
    route = ROUTES[name]
    client.force_login(objects.users[role])
    response = _request(client, method, url_for(name, objects), route, objects)
    expected = getattr(route, method.lower())[role]
    assert response.status_code == expected, response.content.decode()[:500]


@pytest.mark.parametrize(("name", "method"), WRONG_METHOD_CASES)
@pytest.mark.parametrize("role", ROLES)
def test_view_refuses_the_method_it_does_not_accept(client, objects, name, method, role):
    client.force_login(objects.users[role])
    response = _request(client, method, url_for(name, objects), ROUTES[name], objects)
    assert response.status_code == 405
    assert response["Allow"] == ", ".join(ROUTES[name].methods)


def test_a_refused_write_changes_nothing(client, objects):
    client.force_login(objects.users["reviewer"])
    route = ROUTES["claims:revert"]
    client.post(url_for("claims:revert", objects), route.data(objects))
    objects.claim.refresh_from_db()
    assert objects.claim.status == ClaimStatus.IN_REVIEW
