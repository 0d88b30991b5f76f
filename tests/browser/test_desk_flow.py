"""The desk in the browser, three people: a lead hands a claim out to two reviewers with
overlap 2 and blind review; each finds it in My work and rates it without seeing the other's
rating; they disagree; the lead adjudicates, a reviewer drafts the fact-check, the lead signs
it off; the public page loads without a login and its ClaimReview JSON-LD has the fields
fact-check readers (Google's ClaimReview markup) need."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_reviewer_flow import log_in
from tests.claims.test_exports import check_schema_org
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE_URL = "https://lakeside-gazette.example/news/ferry-2026"
CLAIM = "The new ferry carries 1,200 passengers a day."
SUMMARY = "The operator's own timetable gives 800 seats a day; 1,200 counts both directions."
# The ClaimReview properties a fact-check must carry, as paths into the JSON-LD.
CLAIMREVIEW_FIELDS = [
    ("claimReviewed",),
    ("reviewRating", "ratingValue"),
    ("reviewRating", "alternateName"),
    ("author", "name"),
    ("datePublished",),
    ("reviewBody",),
    ("itemReviewed", "appearance", "url"),
]


def _field(review: dict, path: tuple[str, ...]):
    value = review
    for key in path:
        assert isinstance(value, dict) and key in value, f"ClaimReview lacks {'.'.join(path)}"
        value = value[key]
    assert value not in (None, "", [], {}), f"ClaimReview's {'.'.join(path)} is empty"
    return value


@pytest.fixture
def team(roles, make_user):
    return {
        "lead": make_user("leo", "lead"),
        "ann": make_user("ann", "reviewer"),
        "bob": make_user("bob", "reviewer"),
    }


@pytest.fixture
def claim(team):
    article = ArticleFactory(
        publisher=PublisherFactory(name="Lakeside Gazette"),
        url=ARTICLE_URL,
        text=f"Ferry service\n{CLAIM} It started in May.",
    )
    start = article.text.index(CLAIM)
    return ClaimFactory(article=article, start=start, end=start + len(CLAIM), speaker="")


def _rate(page, *, confidence: str, rationale: str, verdict: str) -> None:
    form = page.get_by_role("form", name="Your rating")
    form.get_by_label(confidence, exact=True).check()
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_label("Proposed verdict").select_option(verdict)
    form.get_by_role("button", name="Save my rating").click()


def test_hand_out_blind_ratings_adjudication_and_publishing(
    live_server, team, claim, new_page, console
):
    claim_url = f"/claims/{claim.pk}/"
    lead = new_page()
    log_in(lead, live_server, team["lead"], then="/desk/hand-outs/")
    form = lead.get_by_role("form", name="Hand claims out")
    form.get_by_label("Name").fill("Ferry check")
    form.get_by_label("Filter").fill(f"/claims/?article={claim.article_id}")
    form.get_by_label("ann").check()
    form.get_by_label("bob").check()
    form.get_by_label("Overlap").fill("2")
    form.get_by_label("Blind double review").check()
    form.get_by_role("button", name="Hand out").click()
    expect(lead.locator("#messages")).to_contain_text("Ferry check handed out: 1 claims")

    ann = new_page()
    log_in(ann, live_server, team["ann"], then="/desk/mine/")
    expect(ann.locator("#bell-count")).to_have_text("1")  # "leo handed you 1 claim"
    assigned = ann.locator("section", has=ann.get_by_role("heading", name="Assigned"))
    assigned.get_by_role("link", name=f"Claim #{claim.pk}").click()
    expect(ann).to_have_url(f"{live_server.url}{claim_url}")
    _rate(ann, confidence="High", rationale="Timetable says fewer", verdict="refuted")
    expect(ann.locator("#ratings")).to_contain_text("ann")

    bob = new_page()
    log_in(bob, live_server, team["bob"], then="/desk/mine/")
    waiting = bob.locator("section", has=bob.get_by_role("heading", name="Waiting for me"))
    waiting.get_by_role("link", name=f"Claim #{claim.pk}").click()
    expect(bob.locator("[data-blind]")).to_be_visible()
    ratings = bob.locator("#ratings")
    expect(ratings).not_to_contain_text("Timetable says fewer")  # ann's rating: not shown
    assert "Timetable says fewer" not in bob.content()  # nor anywhere in the HTML
    _rate(bob, confidence="Moderate", rationale="Both directions count", verdict="disputed")
    expect(ratings).to_contain_text("Timetable says fewer")  # judged: now he sees it
    expect(bob.locator("[data-blind]")).to_have_count(0)

    lead.goto(f"{live_server.url}/desk/adjudication/")
    lead.get_by_role("link", name=re.compile(f"#{claim.pk}")).first.click()
    table = lead.get_by_role("table", name="Judgements side by side")
    expect(table).to_contain_text("Refuted")
    expect(table).to_contain_text("Disputed")
    verdict = lead.get_by_role("form", name="Verdict")
    verdict.get_by_label("Verdict").select_option("disputed")
    verdict.get_by_label("Reason").fill("Both counts are honest; the article omits the basis.")
    verdict.get_by_role("button", name="Set the verdict").click()
    expect(lead.locator("#messages")).to_contain_text(f"Claim #{claim.pk} adjudicated.")

    ann.goto(f"{live_server.url}{claim_url}")
    panel = ann.locator("#fact-check")
    expect(panel.get_by_label("Rating")).to_have_value("disputed")
    panel.get_by_label("Summary (reviewBody)").fill(SUMMARY)
    panel.get_by_role("button", name="Save draft").click()
    expect(ann.locator("#fact-check-state")).to_contain_text("Draft")

    lead.goto(f"{live_server.url}{claim_url}")
    lead.once("dialog", lambda d: d.accept())
    lead.get_by_role("button", name="Sign off and publish").click()
    expect(lead.locator("#fact-check-state")).to_contain_text("Published")

    public = new_page()  # nobody logged in
    public.goto(f"{live_server.url}/fact-checks/{claim.pk}/")
    expect(public.locator("#public-review-body")).to_have_text(SUMMARY)
    for name in ("ann", "bob", "leo"):
        assert name not in public.content()
    [text] = public.locator('script[type="application/ld+json"]').all_text_contents()
    review = json.loads(text)
    check_schema_org(review, {"ClaimReview"})
    values = {".".join(path): _field(review, path) for path in CLAIMREVIEW_FIELDS}
    assert values["claimReviewed"] == CLAIM
    assert values["reviewRating.alternateName"] == "Disputed"
    assert values["reviewBody"] == SUMMARY
    assert values["itemReviewed.appearance.url"] == ARTICLE_URL
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", values["datePublished"])
    assert console.csp_violations() == [] and console.script_errors() == []


def test_save_this_view_from_the_queue_and_open_it_from_the_menu(
    live_server, team, claim, new_page, console
):
    page = new_page()
    log_in(page, live_server, team["ann"], then="/claims/?kind=statement&o=-id")
    page.locator("#save-view > summary").click()
    form = page.get_by_role("form", name="Save this view")
    form.get_by_label("Name").fill("Newest statements")
    form.get_by_label("Share with the desk").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("View “Newest statements” saved and shared.")
    expect(page).to_have_url(f"{live_server.url}/claims/?kind=statement&o=-id")

    other = new_page()
    log_in(other, live_server, team["bob"])
    other.locator("#saved-views-menu > summary").click()
    other.get_by_role("link", name="Newest statements").click()
    expect(other).to_have_url(f"{live_server.url}/claims/?kind=statement&o=-id")
    expect(other.locator("#f-o")).to_have_value("-id")
    assert console.csp_violations() == [] and console.script_errors() == []
