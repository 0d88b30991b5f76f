"""Leads correct an article's metadata: the form, the service, what follows (evidence, clusters)."""

import re
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from claims import services as claim_services
from claims.models import ClaimStatus, Independence, Stance
from sources.models import LEAD_EVIDENCE, Article, Publisher
from sources.services import article_revert, article_update
from tests.claims.test_views import ARTICLE_PAGE_QUERIES
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db

SMELTER = (
    "Smelter opens in Kuantan\n"
    "The Kuantan smelter will process 4,000 tonnes of ore a year. "
    "Its owner expects a profit by 2027."
)
PRICES = (
    "Ore prices climb in Rotterdam\n"
    "Traders in Rotterdam saw ore prices rise 12 percent in a week. "
    "Magnet makers bought more than they had in years."
)
HARBOUR = (
    "Port handles record cargo\n"
    "The harbour moved 80 ships through its new berth in March. "
    "Dock workers said the cranes ran day and night."
)


def article(text: str, publisher=None, **kwargs) -> Article:
    return ArticleFactory(text=text, publisher=publisher, **kwargs)


@pytest.fixture
def evidence_setup():
    """A claim of the Upland Times, supported by a claim of an article nobody identified."""
    upland = PublisherFactory(name="Upland Times")
    mine = ClaimFactory(article=article(SMELTER, upland))
    theirs = ClaimFactory(article=article(PRICES, None, url=""))
    c = claim_services.corroboration_create(
        claim=mine, by=None, stance=Stance.SUPPORTS, evidence_claim=theirs
    )
    assert c.independence == Independence.UNKNOWN
    return {"upland": upland, "claim": mine, "evidence": theirs, "corroboration": c}


def edit_url(a: Article) -> str:
    return reverse("sources:article_edit", args=[a.pk])


def test_lead_corrects_metadata_and_the_text_stays(lead_client, lead):
    a = article(SMELTER, PublisherFactory(name="Upland Times"), title="Smelter opens")
    claim = ClaimFactory(article=a)
    text_before = a.text
    response = lead_client.post(
        edit_url(a),
        {
            "title": "Smelter opens in Kuantan",
            "url": "https://uplandtimes.example/business/smelter",
            "published": "5 March 2024 10:20",
            "byline": "Mira Tan",
            "language": "en_GB",
            "reason": "As printed on the page",
            # Not a field of the form: the text never changes.
            "text": "Something else entirely.",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.title == "Smelter opens in Kuantan"
    assert a.url == "https://uplandtimes.example/business/smelter"
    assert timezone.localtime(a.published_at).replace(tzinfo=None) == datetime(2024, 3, 5, 10, 20)
    assert (a.byline, a.language) == ("Mira Tan", "en-GB")
    assert a.text == text_before
    claim.refresh_from_db()
    assert a.text[claim.start : claim.end] == claim.text
    last = a.history.latest("history_id")
    assert last.history_change_reason == "As printed on the page"
    assert last.history_user == lead


def test_a_field_left_out_of_the_post_stays_as_it_was(lead_client):
    upland = PublisherFactory(name="Upland Times")
    a = article(SMELTER, upland, byline="Mira Tan")
    lead_client.post(edit_url(a), {"title": "Smelter opens", "reason": "headline"})
    a.refresh_from_db()
    assert (a.title, a.publisher, a.byline) == ("Smelter opens", upland, "Mira Tan")


def test_the_service_refuses_to_change_the_text():
    a = article(SMELTER)
    with pytest.raises(TypeError, match="text"):
        article_update(article=a, by=None, reason="no", text="Other words.")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "uplandtimes"}, "url", "is not a web address"),
        ({"published": "last Tuesday"}, "published", "is not a date"),
        ({"language": "English!"}, "language", "is not a language code"),
        ({"publisher": "999999"}, "publisher", "Select a valid choice"),
        ({"reason": ""}, "reason", "This field is required"),
        ({"new_publisher": "author"}, "new_publisher", "names no outlet"),
        ({"new_publisher": "Reuters"}, "new_publisher", "already in the registry"),
    ],
)
def test_bad_input_names_the_field_and_nothing_is_written(lead_client, data, field, message):
    a = article(SMELTER, PublisherFactory(name="Upland Times"), title="Smelter opens")
    records = a.history.count()
    publishers = Publisher.objects.count()
    post = {"title": "Changed", "reason": "check"} | data
    response = lead_client.post(edit_url(a), post)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    a.refresh_from_db()
    assert a.title == "Smelter opens"
    assert a.history.count() == records
    assert Publisher.objects.count() == publishers


def test_publisher_and_a_new_publisher_at_once_are_refused(lead_client):
    upland = PublisherFactory(name="Upland Times")
    a = article(SMELTER, None)
    response = lead_client.post(
        edit_url(a), {"publisher": upland.pk, "new_publisher": "Harbour Post", "reason": "x"}
    )
    assert "not both" in " ".join(response.context["form"].errors["new_publisher"])
    assert not Publisher.objects.filter(name="Harbour Post").exists()
    a.refresh_from_db()
    assert a.publisher is None


def test_a_new_publisher_is_created_in_place_not_reviewed(lead_client, lead):
    a = article(SMELTER, None)
    response = lead_client.post(
        edit_url(a), {"new_publisher": "Harbour Post", "reason": "Masthead says so"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.publisher.name == "Harbour Post"
    assert a.publisher.reviewed is False
    assert a.publisher_evidence["kind"] == LEAD_EVIDENCE
    assert a.publisher_evidence["why"] == "set by lena: Masthead says so"
    created = a.publisher.history.get()
    assert created.history_user == lead
    assert created.history_change_reason.startswith(f"Created while correcting article #{a.pk}")


def test_changing_the_publisher_judges_the_evidence_again_on_both_sides(evidence_setup, lead):
    c, evidence = evidence_setup["corroboration"], evidence_setup["evidence"]
    coastline = PublisherFactory(name="Coastline Herald")
    seen = c.version
    edit = article_update(article=evidence.article, by=lead, reason="Masthead", publisher=coastline)
    assert edit.changed == ["publisher"]
    assert [x.pk for x in edit.rejudged] == [c.pk]
    c.refresh_from_db()
    assert c.independence == Independence.INDEPENDENT
    assert c.version == seen + 1  # an evidence page opened before is stale now
    last = c.history.latest("history_id")
    assert last.history_change_reason == f"article #{evidence.article.pk} publisher changed"
    assert last.history_user == lead
    # Now the claim's own article: the same publisher on both sides is one source.
    article_update(
        article=evidence.article, by=lead, reason="Syndicated", publisher=evidence_setup["upland"]
    )
    c.refresh_from_db()
    assert (c.independence, c.independence_reason) == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Upland Times",
    )


def test_evidence_judged_by_hand_keeps_its_judgement(evidence_setup, lead):
    c = evidence_setup["corroboration"]
    claim_services.corroboration_update(
        corroboration=c,
        by=lead,
        independence=Independence.INDEPENDENT,
        independence_reason="Checked the trader's own filing",
    )
    records = c.history.count()
    article_update(
        article=evidence_setup["evidence"].article,
        by=lead,
        reason="Syndicated",
        publisher=evidence_setup["upland"],
    )
    c.refresh_from_db()
    assert c.independence == Independence.INDEPENDENT
    assert c.independence_overridden
    assert c.history.count() == records


def test_evidence_that_does_not_involve_the_article_is_not_touched(evidence_setup, lead):
    other = ClaimFactory(article=article(HARBOUR, PublisherFactory(name="Valley Radio")))
    unrelated = claim_services.corroboration_create(
        claim=other, by=None, stance=Stance.SUPPORTS, outlet="Port authority"
    )
    records = unrelated.history.count()
    article_update(
        article=evidence_setup["evidence"].article,
        by=lead,
        reason="Masthead",
        publisher=PublisherFactory(name="Coastline Herald"),
    )
    assert unrelated.history.count() == records


def test_a_verified_claim_left_without_independent_support_is_reported(
    evidence_setup, lead, lead_client
):
    c, claim = evidence_setup["corroboration"], evidence_setup["claim"]
    evidence_article = evidence_setup["evidence"].article
    article_update(
        article=evidence_article, by=lead, reason="x", publisher=PublisherFactory(name="Far Post")
    )
    claim_services.claim_set_status(
        claim=claim, status=ClaimStatus.VERIFIED, reason="Traders agree", by=lead, version=None
    )
    response = lead_client.post(
        edit_url(evidence_article),
        {"publisher": evidence_setup["upland"].pk, "reason": "It is a reprint"},
        follow=True,
    )
    c.refresh_from_db()
    assert c.independence == Independence.NOT_INDEPENDENT
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED  # a reviewer decides, not the edit
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"#{claim.pk}" in m and "judged independent" in m for m in shown), shown


def test_changing_the_url_judges_the_evidence_again(evidence_setup, lead):
    c = evidence_setup["corroboration"]
    edit = article_update(
        article=evidence_setup["evidence"].article,
        by=lead,
        reason="canonical link",
        url="https://pricewatch.example/ore",
    )
    assert edit.judged == 1
    c.refresh_from_db()
    assert c.independence == Independence.INDEPENDENT
    reason = c.history.latest("history_id").history_change_reason
    assert reason == f"article #{evidence_setup['evidence'].article.pk} URL changed"


def test_nothing_changed_records_nothing(lead):
    a = article(SMELTER, None, title="Smelter opens")
    records = a.history.count()
    edit = article_update(article=a, by=lead, reason="same", title="Smelter opens")
    assert edit.changed == []
    assert a.history.count() == records


def test_an_edit_on_a_stale_page_is_refused_with_what_changed(lead_client, make_user):
    a = article(SMELTER, None, title="Smelter opens")
    seen = a.history.latest("history_id").history_id
    other = make_user("omar", "lead")
    article_update(article=a, by=other, reason="typo", title="Smelter opens in Kuantan")
    response = lead_client.post(
        edit_url(a), {"title": "Kuantan smelter", "version": seen, "reason": "mine"}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "changed by someone else" in errors
    assert "title: Smelter opens → Smelter opens in Kuantan (omar" in errors
    a.refresh_from_db()
    assert a.title == "Smelter opens in Kuantan"


def test_the_edit_page_carries_the_version_it_shows(lead_client):
    a = article(SMELTER, None, title="Smelter opens")
    response = lead_client.get(edit_url(a))
    assert response.context["form"].initial["version"] == a.history.latest("history_id").pk
    # Saved with that version: accepted.
    version = response.context["form"].initial["version"]
    response = lead_client.post(edit_url(a), {"title": "New", "version": version, "reason": "ok"})
    assert response.status_code == 302


# -- Syndication clusters -------------------------------------------------------------------


@pytest.fixture
def cluster():
    """Three copies of one story: the first (earliest) credits nobody yet."""
    agency = PublisherFactory(name="Meridian Wire", kind="agency")
    day = timezone.make_aware(datetime(2025, 5, 1, 9, 0))
    members = [
        article(SMELTER + f" Copy {n}.", PublisherFactory(name=f"Site {n}"), published_at=day)
        for n in range(3)
    ]
    for n, m in enumerate(members):
        m.published_at = day.replace(hour=9 + n)
        m.cluster_origin = members[0]
        m.save()
    return {"agency": agency, "members": members}


def test_an_origin_set_by_a_lead_is_passed_along_the_cluster(cluster, lead):
    first, second, third = cluster["members"]
    agency = cluster["agency"]
    # A claim of another of the agency's stories, supported by the third copy.
    mine = article(HARBOUR, PublisherFactory(name="Valley Radio"), origin=agency)
    c = claim_services.corroboration_create(
        claim=ClaimFactory(article=mine),
        by=None,
        stance=Stance.SUPPORTS,
        evidence_claim=ClaimFactory(article=third),
    )
    assert c.independence == Independence.INDEPENDENT
    edit = article_update(article=first, by=lead, reason="Agency dateline", origin=agency)
    assert sorted(edit.cluster_changed) == [second.pk, third.pk]
    third.refresh_from_db()
    assert third.origin == agency
    assert third.origin_evidence["kind"] == "cluster"
    # The copy's evidence was judged again, with the copy named as the article that changed.
    c.refresh_from_db()
    assert c.independence == Independence.NOT_INDEPENDENT
    last = c.history.latest("history_id")
    assert last.history_change_reason == f"article #{third.pk} origin changed"


def test_a_lead_s_no_origin_is_not_replaced_along_the_cluster(cluster, lead):
    first, second, _ = cluster["members"]
    article_update(article=first, by=lead, reason="wire", origin=cluster["agency"])
    second.refresh_from_db()
    assert second.origin == cluster["agency"]
    article_update(article=second, by=lead, reason="its own rewrite", origin=None)
    second.refresh_from_db()
    assert second.origin is None
    assert second.origin_evidence["kind"] == LEAD_EVIDENCE
    # Re-checking the cluster again (another edit) leaves the lead's word alone.
    article_update(article=first, by=lead, reason="typo", title="Kuantan smelter")
    earlier = first.published_at.replace(hour=7)
    article_update(article=first, by=lead, reason="date on the page", published=earlier)
    second.refresh_from_db()
    assert second.origin is None


def test_a_corrected_date_makes_another_copy_the_cluster_origin(cluster, lead):
    first, second, third = cluster["members"]
    c = claim_services.corroboration_create(
        claim=ClaimFactory(article=first),
        by=None,
        stance=Stance.SUPPORTS,
        evidence_claim=ClaimFactory(article=second),
    )
    assert c.independence_reason.endswith(f"(origin: article {first.pk})")
    earlier = timezone.make_aware(datetime(2025, 4, 30, 8, 0))
    edit = article_update(article=third, by=lead, reason="date on the page", published=earlier)
    for m in cluster["members"]:
        m.refresh_from_db()
        assert m.cluster_origin_id == third.pk
    assert edit.cluster_changed == []  # no origin moved: only the cluster's
    c.refresh_from_db()
    assert c.independence == Independence.NOT_INDEPENDENT
    assert c.independence_reason.endswith(f"(origin: article {third.pk})")
    last = c.history.latest("history_id")
    assert last.history_change_reason == f"article #{first.pk} syndication cluster changed"


# -- Reverting ---------------------------------------------------------------------------------


def test_a_lead_reverts_a_publisher_change_and_evidence_follows(evidence_setup, lead):
    c, evidence_article = evidence_setup["corroboration"], evidence_setup["evidence"].article
    evidence_before = dict(evidence_article.publisher_evidence)
    article_update(
        article=evidence_article, by=lead, reason="x", publisher=PublisherFactory(name="Far Post")
    )
    change = evidence_article.history.latest("history_id").history_id
    edit = article_revert(history_id=change, by=lead, reason="wrong outlet")
    assert edit.changed == ["publisher"]
    evidence_article.refresh_from_db()
    assert evidence_article.publisher is None
    assert evidence_article.publisher_evidence == evidence_before
    last = evidence_article.history.latest("history_id")
    assert last.history_change_reason == f"Reverted change #{change}: wrong outlet"
    c.refresh_from_db()
    assert c.independence == Independence.UNKNOWN


def test_a_revert_is_refused_when_the_field_changed_again(lead):
    a = article(SMELTER, None, title="Smelter opens")
    article_update(article=a, by=lead, reason="one", title="Two")
    first = a.history.latest("history_id").history_id
    article_update(article=a, by=lead, reason="two", title="Three")
    with pytest.raises(claim_services.RevertRefused, match="Changed again since"):
        article_revert(history_id=first, by=lead)
    a.refresh_from_db()
    assert a.title == "Three"


def test_a_cluster_s_bookkeeping_is_not_reverted(cluster, lead):
    second = cluster["members"][1]
    third = cluster["members"][2]
    article_update(
        article=third,
        by=lead,
        reason="date",
        published=timezone.make_aware(datetime(2025, 4, 30)),
    )
    bookkeeping = second.history.latest("history_id")
    assert bookkeeping.history_change_reason.startswith("Syndication cluster re-checked")
    with pytest.raises(claim_services.RevertRefused, match="nothing that can be reverted"):
        article_revert(history_id=bookkeeping.history_id, by=lead)


def test_the_claim_revert_does_not_take_article_changes(lead):
    a = article(SMELTER, None)
    article_update(article=a, by=lead, reason="x", title="T")
    with pytest.raises(ValueError, match="article_revert"):
        claim_services.history_revert(
            kind="article", history_id=a.history.latest("history_id").history_id, by=lead
        )


def test_the_article_page_shows_its_timeline_and_leads_revert_from_it(lead_client, lead, client):
    a = article(SMELTER, None, title="Smelter opens")
    article_update(article=a, by=lead, reason="Headline as printed", title="Smelter opens today")
    change = a.history.latest("history_id").history_id
    page = lead_client.get(a.get_absolute_url()).content.decode()
    assert "Reason: Headline as printed" in page
    assert "<del>Smelter opens</del>" in page and "<ins>Smelter opens today</ins>" in page
    assert f'name="history_id" value="{change}"' in page
    assert reverse("sources:article_edit", args=[a.pk]) in page
    response = lead_client.post(
        reverse("sources:article_revert", args=[a.pk]),
        {"history_id": change, "reason": "Wrong headline"},
        follow=True,
    )
    assert "Article #" in " ".join(str(m) for m in response.context["messages"])
    a.refresh_from_db()
    assert a.title == "Smelter opens"


def test_an_article_revert_asks_for_confirmation_and_a_reason(lead_client, lead):
    a = article(SMELTER, None, title="Smelter opens")
    article_update(article=a, by=lead, reason="Headline as printed", title="Smelter opens today")
    change = a.history.latest("history_id").history_id
    page = lead_client.get(a.get_absolute_url()).content.decode()
    form = re.search(rf'<form[^>]*aria-label="Revert change {change}".*?</form>', page, re.S)
    assert form and f'hx-confirm="Revert change #{change} (Article #{a.pk})?' in form.group()
    assert re.search(r'<input type="text"[^>]* name="reason"[^>]* required', form.group())

    refused = lead_client.post(
        reverse("sources:article_revert", args=[a.pk]), {"history_id": change}, follow=True
    )
    assert [str(m) for m in refused.context["messages"]] == [
        f"Change #{change} not reverted: reason: Say why you revert this change (kept in its "
        "history)."
    ]
    a.refresh_from_db()
    assert a.title == "Smelter opens today"

    reverted = lead_client.post(
        reverse("sources:article_revert", args=[a.pk]),
        {"history_id": change, "reason": "The page's own headline"},
        **{"HTTP_HX_REQUEST": "true"},
    )
    assert reverted["HX-Redirect"] == a.get_absolute_url()
    a.refresh_from_db()
    assert a.title == "Smelter opens"
    assert a.history.latest("history_id").history_change_reason == (
        f"Reverted change #{change}: The page's own headline"
    )


def test_a_reviewer_sees_the_timeline_but_neither_edits_nor_reverts(client, make_user, lead):
    a = article(SMELTER, None, title="Smelter opens")
    article_update(article=a, by=lead, reason="Headline", title="Smelter opens today")
    client.force_login(make_user("rita", "reviewer"))
    page = client.get(a.get_absolute_url()).content.decode()
    assert "Reason: Headline" in page
    assert "Revert this change" not in page
    assert reverse("sources:article_edit", args=[a.pk]) not in page


def test_a_change_of_another_article_cannot_be_reverted_from_this_page(lead_client, lead):
    a, b = article(SMELTER, None, title="A"), article(PRICES, None, title="B")
    article_update(article=b, by=lead, reason="x", title="B2")
    change = b.history.latest("history_id").history_id
    response = lead_client.post(
        reverse("sources:article_revert", args=[a.pk]),
        {"history_id": change, "reason": "Wrong headline"},
        follow=True,
    )
    assert "Choose a recorded change of this article" in " ".join(
        str(m) for m in response.context["messages"]
    )
    b.refresh_from_db()
    assert b.title == "B2"


@pytest.mark.parametrize("changes", [1, 10])
def test_article_page_queries_do_not_grow_with_its_history(
    lead_client, lead, django_assert_num_queries, changes
):
    a = article(SMELTER, PublisherFactory(name="Upland Times"))
    ClaimFactory(article=a)
    for n in range(changes):
        article_update(article=a, by=lead, reason=f"fix {n}", byline=f"Writer {n}")
    # The page's pinned queries (tests/claims/test_views.py), the history one of them.
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = lead_client.get(a.get_absolute_url())
    assert response.content.decode().count("Reason: fix ") == changes


# -- The claim page sends a lead to the edit form ----------------------------------------------


def test_unknown_independence_links_a_lead_to_the_article_edit_form(evidence_setup, lead_client):
    claim, bare = evidence_setup["claim"], evidence_setup["evidence"].article
    page = lead_client.get(claim.get_absolute_url()).content.decode()
    link = reverse("sources:article_edit", args=[bare.pk])
    assert f'<a href="{link}">Set the publisher of “{bare.title}”</a>' in page


def test_a_reviewer_is_told_a_lead_sets_the_publisher(evidence_setup, client, make_user):
    client.force_login(make_user("rita", "reviewer"))
    claim, bare = evidence_setup["claim"], evidence_setup["evidence"].article
    page = client.get(claim.get_absolute_url()).content.decode()
    link = reverse("sources:article_detail", args=[bare.pk])
    assert f'<a href="{link}">“{bare.title}”</a> needs a publisher (a lead sets it)' in page
    assert reverse("sources:article_edit", args=[bare.pk]) not in page


def test_the_service_names_the_field_of_a_bad_value():
    a = article(SMELTER, None)
    with pytest.raises(ValidationError) as caught:
        article_update(article=a, by=None, reason="x", url="ftp:/nowhere", language="x1")
    assert set(caught.value.message_dict) == {"url", "language"}
