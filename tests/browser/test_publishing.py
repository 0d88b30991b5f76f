"""Publishing in the browser: a reviewer drafts the fact-check, a lead signs it off, and the
public page (nobody logged in) carries its ClaimReview JSON-LD; the mentioned lead's bell."""

import json
import re

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import ClaimStatus
from tests.browser.test_reviewer_flow import log_in
from tests.claims.test_exports import check_schema_org
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = "The port's own tally counts two terminals; the ministry's figure counts one."


@pytest.fixture
def users(roles, make_user):
    return {"reviewer": make_user("rita", "reviewer"), "lead": make_user("leo", "lead")}


@pytest.fixture
def disputed(users):
    article = ArticleFactory(
        publisher=PublisherFactory(name="Harbour Courier"), url="https://courier.example/a/9"
    )
    claim = ClaimFactory(article=article, speaker="Ministry of Ports")
    return services.claim_set_status(
        claim=claim, status=ClaimStatus.DISPUTED, reason="two tallies", by=users["reviewer"],
        version=None,
    )  # fmt: skip


def test_reviewer_drafts_lead_signs_off_and_the_public_page_has_the_json_ld(
    live_server, users, disputed, new_page, console
):
    claim_url = f"/claims/{disputed.pk}/"
    reviewer = new_page()
    log_in(reviewer, live_server, users["reviewer"], then=claim_url)
    panel = reviewer.locator("#fact-check")
    expect(panel.get_by_label("Rating")).to_have_value("disputed")  # the claim's verdict
    panel.get_by_label("Summary (reviewBody)").fill(SUMMARY)
    panel.get_by_role("button", name="Save draft").click()
    expect(reviewer.locator("#fact-check-state")).to_contain_text("Draft")
    expect(reviewer.get_by_role("button", name="Sign off and publish")).to_have_count(0)
    reviewer.locator("#notes textarea").fill("@leo please sign off the fact-check")
    reviewer.get_by_role("button", name="Add note").click()
    expect(reviewer.locator("#notes")).to_contain_text("please sign off")

    lead = new_page()
    log_in(lead, live_server, users["lead"], then=claim_url)
    expect(lead.locator("#bell-count")).to_have_text("1")
    lead.once("dialog", lambda d: d.accept())
    lead.get_by_role("button", name="Sign off and publish").click()
    expect(lead.locator("#fact-check-state")).to_contain_text("Published")
    lead.locator("#public-link").click()
    expect(lead).to_have_url(f"{live_server.url}/fact-checks/{disputed.pk}/")

    public = new_page()  # nobody logged in
    public.goto(f"{live_server.url}/fact-checks/{disputed.pk}/")
    expect(public.locator("#public-review-body")).to_have_text(SUMMARY)
    expect(public.locator("#public-rating")).to_have_text("Disputed")
    assert "rita" not in public.content() and "leo" not in public.content()
    [text] = public.locator('script[type="application/ld+json"]').all_text_contents()
    review = json.loads(text)
    check_schema_org(review, {"ClaimReview"})
    assert review["reviewBody"] == SUMMARY
    assert review["itemReviewed"]["appearance"]["url"] == "https://courier.example/a/9"
    assert re.match(r"\d{4}-\d\d-\d\dT", review["datePublished"])
    assert review["url"] == f"{live_server.url}/fact-checks/{disputed.pk}/"
    assert console.csp_violations() == [] and console.script_errors() == []
