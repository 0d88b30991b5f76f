"""Publishing a fact-check: draft, sign-off by a second person who is a lead, unpublish;
the public page and its ClaimReview JSON-LD; the export's ClaimReview of the same."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from claims import services as claim_services
from claims.models import ClaimStatus
from publishing.claimreview import ld_json_script
from publishing.models import FactCheck, FactCheckState
from publishing.services import factcheck_draft, factcheck_sign_off, factcheck_unpublish
from tests.claims.test_exports import body, check_schema_org, export_url
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
)

pytestmark = pytest.mark.django_db

SUMMARY = "The plant's filings show a lower figure; the ministry's number counts two sites."


@pytest.fixture
def disputed(reviewer):
    article = ArticleFactory(
        publisher=PublisherFactory(name="Harbour Courier"), url="https://courier.example/a/1"
    )
    claim = ClaimFactory(article=article, speaker="Ministry of Ports")
    return claim_services.claim_set_status(
        claim=claim, status=ClaimStatus.DISPUTED, reason="two figures", by=reviewer, version=None
    )


@pytest.fixture
def second_lead(make_user):
    return make_user("lars", "lead")


def ld_json(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return [json.loads(text) for text in found]


def published(claim, reviewer, lead, **options):
    fact_check = factcheck_draft(
        claim=claim, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY, **options
    )
    return factcheck_sign_off(fact_check=fact_check, by=lead)


# --- Rules -----------------------------------------------------------------------------------


def test_draft_needs_the_claims_own_verdict_and_a_summary(claim, reviewer, disputed):
    with pytest.raises(ValidationError) as refused:
        factcheck_draft(claim=claim, by=reviewer, rating=ClaimStatus.VERIFIED, review_body="x")
    assert "rating" in refused.value.message_dict
    assert "set the verdict on the claim first" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        factcheck_draft(claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=" ")
    assert set(refused.value.message_dict) == {"review_body"}
    with pytest.raises(ValidationError) as refused:
        factcheck_draft(claim=disputed, by=reviewer, rating="unverifiable", review_body="x")
    assert "not a published verdict" in str(refused.value)
    assert not FactCheck.objects.exists()


def test_sign_off_publishes_with_the_sign_off_time(disputed, reviewer, lead):
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY
    )
    assert fact_check.state == FactCheckState.DRAFT and fact_check.published_at is None
    fact_check = factcheck_sign_off(fact_check=fact_check, by=lead)
    assert fact_check.state == FactCheckState.PUBLISHED
    assert fact_check.signed_off_by == lead
    latest = fact_check.history.latest("history_id")
    assert (
        latest.history_user == lead and latest.history_change_reason == "signed off and published"
    )
    assert fact_check.published_at == latest.published_at


def test_the_author_cannot_sign_off_their_own_draft(disputed, lead, second_lead, reviewer):
    fact_check = factcheck_draft(
        claim=disputed, by=lead, rating=ClaimStatus.DISPUTED, review_body=SUMMARY
    )
    # A reviewer's later edit does not make the lead's words someone else's.
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY + " More."
    )
    with pytest.raises(ValidationError) as refused:
        factcheck_sign_off(fact_check=fact_check, by=lead)
    assert "a second lead must sign it off" in str(refused.value)
    assert FactCheck.objects.get().state == FactCheckState.DRAFT
    assert factcheck_sign_off(fact_check=fact_check, by=second_lead).is_published


def test_a_reviewer_cannot_sign_off(disputed, reviewer, make_user):
    other = make_user("otto", "reviewer")
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY
    )
    with pytest.raises(PermissionDenied, match="lead role"):
        factcheck_sign_off(fact_check=fact_check, by=other)


def test_sign_off_refused_when_the_claims_verdict_changed_since(disputed, reviewer, lead):
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY
    )
    claim_services.claim_set_status(
        claim=disputed, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    with pytest.raises(ValidationError, match="set the verdict on the claim first"):
        factcheck_sign_off(fact_check=fact_check, by=lead)


def test_a_published_fact_check_is_not_edited_in_place(disputed, reviewer, lead):
    published(disputed, reviewer, lead)
    with pytest.raises(ValidationError, match="unpublish it to change it"):
        factcheck_draft(claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body="y")


def test_unpublish_needs_a_reason_and_keeps_the_history(disputed, reviewer, lead, second_lead):
    fact_check = published(disputed, reviewer, lead)
    with pytest.raises(ValidationError, match="reason"):
        factcheck_unpublish(fact_check=fact_check, by=lead, reason="")
    fact_check = factcheck_unpublish(fact_check=fact_check, by=lead, reason="figure corrected")
    assert fact_check.state == FactCheckState.UNPUBLISHED
    states = list(fact_check.history.order_by("history_id").values_list("state", flat=True))
    assert states == ["draft", "published", "unpublished"]
    assert fact_check.history.latest("history_id").history_change_reason == (
        "unpublished: figure corrected"
    )
    # Drafted again and signed off again: a new datePublished.
    again = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY + " Fixed."
    )
    assert again.state == FactCheckState.DRAFT and again.published_at is None
    assert factcheck_sign_off(fact_check=again, by=second_lead).is_published


def test_a_stale_version_is_refused(disputed, reviewer, lead):
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating=ClaimStatus.DISPUTED, review_body=SUMMARY
    )
    with pytest.raises(ValidationError) as refused:
        factcheck_sign_off(fact_check=fact_check, by=lead, version=fact_check.version + 5)
    assert "version" in refused.value.message_dict


# --- The claim page's panel (htmx) -----------------------------------------------------------


def test_panel_drafts_then_a_lead_signs_off(rclient, lclient, disputed):
    page = rclient.get(f"/claims/{disputed.pk}/").content.decode()
    assert f'hx-get="/claims/{disputed.pk}/fact-check/"' in page
    response = rclient.post(
        f"/claims/{disputed.pk}/fact-check/draft/",
        {"rating": "disputed", "review_body": SUMMARY},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel" aria-labelledby="fc-h"')
    assert "Sign off and publish" not in html  # a reviewer does not see the button
    panel = lclient.get(f"/claims/{disputed.pk}/fact-check/", headers={"HX-Request": "true"})
    assert "Sign off and publish" in panel.content.decode()
    version = FactCheck.objects.get().version
    signed = lclient.post(
        f"/claims/{disputed.pk}/fact-check/sign-off/",
        {"version": version},
        headers={"HX-Request": "true"},
    )
    assert signed.status_code == 200
    assert f'href="/fact-checks/{disputed.pk}/"' in signed.content.decode()


def test_panel_refusal_names_the_field(rclient, claim):
    response = rclient.post(
        f"/claims/{claim.pk}/fact-check/draft/",
        {"rating": "verified", "review_body": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-field="rating"' in html and 'data-field="review_body"' in html


def test_a_reviewer_cannot_post_a_sign_off(rclient, disputed, reviewer):
    factcheck_draft(claim=disputed, by=reviewer, rating="disputed", review_body=SUMMARY)
    assert rclient.post(f"/claims/{disputed.pk}/fact-check/sign-off/").status_code == 403
    assert FactCheck.objects.get().state == FactCheckState.DRAFT


# --- The public page -------------------------------------------------------------------------


def test_public_page_needs_no_login_and_shows_only_published_content(disputed, reviewer, lead):
    anonymous = Client()
    url = f"/fact-checks/{disputed.pk}/"
    assert anonymous.get(url).status_code == 404
    NoteFactory(claim=disputed, author=reviewer, text="Internal: ask the desk about site two.")
    RatingFactory(claim=disputed, reviewer=reviewer, confidence="low", rationale="Private why.")
    fact_check = factcheck_draft(
        claim=disputed, by=reviewer, rating="disputed", review_body=SUMMARY
    )
    assert anonymous.get(url).status_code == 404  # a draft is not public
    factcheck_sign_off(fact_check=fact_check, by=lead)
    response = anonymous.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SUMMARY.replace("'", "&#x27;") in html
    assert "Internal: ask the desk" not in html and "Private why" not in html
    assert reviewer.username not in html and lead.username not in html
    assert "https://courier.example/a/1" in html
    factcheck_unpublish(fact_check=fact_check, by=lead, reason="withdrawn")
    gone = anonymous.get(url)
    assert gone.status_code == 410 and SUMMARY not in gone.content.decode()


def test_public_page_names_the_reviewers_only_when_chosen(disputed, reviewer, lead):
    published(disputed, reviewer, lead, show_reviewers=True)
    html = Client().get(f"/fact-checks/{disputed.pk}/").content.decode()
    assert reviewer.username in html and lead.username in html
    [review] = ld_json(html)
    assert [c["name"] for c in review["creator"]] == [reviewer.username, lead.username]


def test_public_page_json_ld_is_the_claimreview_of_schema_org(disputed, reviewer, lead):
    fact_check = published(disputed, reviewer, lead)
    html = Client().get(f"/fact-checks/{disputed.pk}/").content.decode()
    [review] = ld_json(html)
    check_schema_org(review, {"ClaimReview"})
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == disputed.text
    assert review["reviewBody"] == SUMMARY
    assert review["reviewRating"]["ratingValue"] == 3
    assert review["reviewRating"]["alternateName"] == "Disputed"
    assert review["itemReviewed"]["appearance"]["url"] == "https://courier.example/a/1"
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Ministry of Ports",
    }
    assert review["author"]["@type"] == "Organization"
    assert review["datePublished"] == fact_check.published_at.isoformat()
    assert review["url"] == f"http://testserver/fact-checks/{disputed.pk}/"
    assert "creator" not in review  # nobody named unless chosen


def test_json_ld_cannot_close_its_script_element():
    html = ld_json_script({"reviewBody": "</script><script>alert(1)</script> & <!--"})
    assert html.count("</script>") == 1 and "<script>alert" not in html
    inner = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner) == {"reviewBody": "</script><script>alert(1)</script> & <!--"}


def test_public_page_reads_a_fixed_number_of_queries(
    disputed, reviewer, lead, django_assert_max_num_queries
):
    published(disputed, reviewer, lead, show_reviewers=True)
    client = Client()
    client.get(f"/fact-checks/{disputed.pk}/")  # the registry's first load
    with django_assert_max_num_queries(12):
        assert client.get(f"/fact-checks/{disputed.pk}/").status_code == 200


# --- The export's ClaimReview ----------------------------------------------------------------


def test_export_claimreview_carries_the_published_fact_check(rclient, disputed, reviewer, lead):
    def review_of_claim():
        reviews = json.loads(body(rclient.get(export_url(format="claimreview", status="all"))))
        [review] = [r for r in reviews if r["claimReviewed"] == disputed.text]
        check_schema_org(review, {"ClaimReview"})
        return review

    before = review_of_claim()
    assert before["reviewBody"] == "two figures"  # the verdict's reason, as before
    assert before["url"].endswith(f"/claims/{disputed.pk}/")
    fact_check = published(disputed, reviewer, lead)
    after = review_of_claim()
    assert after["reviewBody"] == SUMMARY
    assert after["datePublished"] == fact_check.published_at.isoformat()
    assert after["url"].endswith(f"/fact-checks/{disputed.pk}/")
    assert after["itemReviewed"]["appearance"]["url"] == "https://courier.example/a/1"
    assert "creator" not in after
    # The public page's JSON-LD is the same record.
    [public] = ld_json(Client().get(f"/fact-checks/{disputed.pk}/").content.decode())
    assert public == after
