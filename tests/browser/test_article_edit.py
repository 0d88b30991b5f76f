"""A lead fixes an article the machine could not identify, from the claim page, then reverts it."""

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import Independence, Stance
from sources.models import Article
from tests.browser.test_reviewer_flow import log_in
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLAIM_TEXT = (
    "Smelter opens in Kuantan\n"
    "The Kuantan smelter will process 4,000 tonnes of ore a year. "
    "Its owner expects a profit by 2027."
)
EVIDENCE_TEXT = (
    "Ore prices climb in Rotterdam\n"
    "Traders in Rotterdam saw ore prices rise 12 percent in a week. "
    "Magnet makers bought more than they had in years."
)


def test_lead_sets_a_missing_publisher_from_the_claim_page_and_reverts_it(
    live_server, roles, make_user, new_page, console, screenshot
):
    lead = make_user("leo", "lead")
    claim = ClaimFactory(
        article=ArticleFactory(text=CLAIM_TEXT, publisher=PublisherFactory(name="Upland Times"))
    )
    bare = ArticleFactory(text=EVIDENCE_TEXT, publisher=None, url="", title="Ore prices climb")
    c = services.corroboration_create(
        claim=claim, by=None, stance=Stance.SUPPORTS, evidence_claim=ClaimFactory(article=bare)
    )
    assert c.independence == Independence.UNKNOWN

    page = new_page()
    log_in(page, live_server, lead, then=claim.get_absolute_url())
    evidence = page.locator("#evidence")
    expect(evidence.locator(".badge-unknown")).to_be_visible()
    evidence.get_by_role("link", name="Set the publisher of “Ore prices climb”").click()
    expect(page).to_have_url(f"{live_server.url}/sources/articles/{bare.pk}/edit/")

    page.get_by_label("…or a new publisher").fill("Rotterdam Ore Letter")
    page.get_by_label("Reason").fill("Named in the page's footer")
    screenshot(page, "screenshot-article-edit.png")
    page.get_by_role("button", name="Save corrections").click()
    expect(page).to_have_url(f"{live_server.url}{bare.get_absolute_url()}")
    expect(page.locator("#messages")).to_contain_text(
        "Independence judged again for 1 piece of evidence: 1 changed."
    )
    expect(page.locator(".provenance")).to_contain_text("set by leo: Named in the page's footer")

    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    expect(page.locator("#evidence .badge-independent")).to_be_visible()
    expect(page.locator("#history")).to_contain_text(f"article #{bare.pk} publisher changed")

    # Back on the article page, the lead takes the change back from its timeline.
    page.goto(f"{live_server.url}{bare.get_absolute_url()}")
    history = page.locator("#history")
    expect(history).to_contain_text("Reason: Named in the page's footer")
    history.get_by_label("Why revert it?").first.fill("The footer names the printer")
    page.once("dialog", lambda d: d.accept())
    history.get_by_role("button", name="Revert this change").first.click()
    expect(page.locator("#messages")).to_contain_text(f"Article #{bare.pk}: publisher corrected.")
    assert Article.objects.get(pk=bare.pk).publisher is None
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    expect(page.locator("#evidence .badge-unknown")).to_be_visible()
    assert console.csp_violations() == [], console.messages
    assert console.script_errors() == [], console.messages
