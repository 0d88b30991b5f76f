"""The triage queue's ergonomics in the browser: status checkboxes, the filters stated,
keys that move on, Esc out of the search, a previous page, sortable headers, the export menu."""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimStatus, Credibility
from claims.triage import PAGE_SIZE
from tests.browser.test_reviewer_flow import log_in, queue_rows
from tests.factories import open_claims

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_works_the_queue_from_the_keyboard_and_the_headers(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    claims = open_claims(PAGE_SIZE + 10)
    Claim.objects.filter(pk=claims[1].pk).update(credibility=Credibility.CANNOT_BE_JUDGED)
    page = new_page()
    log_in(page, live_server, reviewer)

    # The filters in words above the rows; the status as checkboxes.
    expect(page.locator("#active-filters")).to_contain_text("Status: Unreviewed, In review")
    page.get_by_role("checkbox", name="In review").uncheck()
    expect(page.locator("#active-filters")).to_contain_text("Status: Unreviewed")
    expect(page.locator("#active-filters")).not_to_contain_text("In review")
    expect(page).to_have_url(re.compile(r"status=unreviewed"))

    # A claim nobody has rated reads "not rated yet", never 6 as a reviewer's 6 does.
    unrated = page.locator(f"tr[data-claim-id='{claims[0].pk}'] td").nth(4)
    expect(unrated).to_have_attribute("title", "Not rated yet")
    expect(unrated).to_have_text(re.compile(r"^\s*—\s*Not rated yet\s*$"))
    six = page.locator(f"tr[data-claim-id='{claims[1].pk}'] td").nth(4)
    expect(six).to_have_text("6")
    expect(six).to_have_attribute("title", "6 — Truth cannot be judged")

    # "/" into the search, Esc back out to the list, where the keys work again.
    page.keyboard.press("/")
    expect(page.locator("#f-q")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#f-q")).not_to_be_focused()
    first = queue_rows(page).first
    expect(first).to_have_class(re.compile(r"\bfocused\b"))

    # u decides the focused claim, and the focus moves on to the next one.
    second_id = queue_rows(page).nth(1).get_attribute("data-claim-id")
    decided = first.get_attribute("data-claim-id")
    page.keyboard.press("u")
    expect(page.locator("#messages")).to_contain_text(f"Claim #{decided} set to unverifiable")
    expect(page.locator(f"tr[data-claim-id='{second_id}']")).to_have_class(
        re.compile(r"\bfocused\b")
    )
    expect(page.locator(f"tr[data-claim-id='{decided}']")).to_have_count(0)  # out of the queue
    assert Claim.objects.get(pk=decided).status == ClaimStatus.UNVERIFIABLE

    # Next page, then back with "Previous page".
    on_first = queue_rows(page).first.get_attribute("data-claim-id")
    page.get_by_role("link", name="Next page »").click()
    expect(page.get_by_role("link", name="‹ Previous page")).to_be_visible()
    page.get_by_role("link", name="‹ Previous page").click()
    expect(queue_rows(page).first).to_have_attribute("data-claim-id", on_first)

    # A click on a header sorts by it; a second click turns the order round.
    page.get_by_role("link", name="Score").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Score")
    lowest = min((c for c in claims if str(c.pk) != decided), key=lambda c: c.score)
    expect(queue_rows(page).first).to_have_attribute("data-claim-id", str(lowest.pk))
    page.get_by_role("link", name="Score").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Score")

    # The export menu opens over the page as a menu, not as a line of links in the flow.
    page.locator("#export-menu summary").click()
    menu = page.locator("#export-menu ul")
    expect(menu).to_be_visible()
    assert menu.evaluate("el => getComputedStyle(el).position") == "absolute"
    expect(menu.get_by_role("link", name="CSV", exact=True).first).to_be_visible()
    # The default queue has no verdicts: the menu says why its ClaimReview would be empty.
    expect(menu.locator("#claimreview-none")).to_contain_text("verified, disputed and refuted")

    assert console.csp_violations() == []
    assert console.script_errors() == []
