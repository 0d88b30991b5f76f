"""The claim page's panels in the browser: an action redraws its panel and those that show
what changed, never the page."""

import re

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import ClaimStatus, Credibility, Note, Stance
from tests.browser.test_reviewer_flow import log_in
from tests.factories import ClaimFactory, CorroborationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARK = "el => el.dataset.untouched = 'yes'"


def candidates_loaded(page) -> None:
    """Wait for the candidate evidence, which loads itself once the page is shown."""
    candidates = page.locator("#candidates")
    expect(candidates).to_contain_text(
        re.compile(r"Candidate evidence from other articles \(\d+\)")
    )
    expect(candidates).not_to_have_attribute("aria-busy", "true")


def test_a_note_redraws_the_notes_and_the_timeline_and_nothing_else(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, outlet="Reuters")
    page = new_page()
    log_in(page, live_server, reviewer, then=f"/claims/{claim.pk}/")
    candidates_loaded(page)
    panels = ["claim-header", "context", "evidence", "candidates", "verdict", "ratings"]
    panels += ["source", "claim-boundaries", "notes", "history"]
    for panel in panels:
        page.locator(f"#{panel}").evaluate(MARK)
    page.evaluate("window.notReloaded = true")
    requests = []
    page.on(
        "request", lambda r: requests.append(r.url) if r.url.startswith(live_server.url) else None
    )

    page.get_by_label("New note").fill("Rang the plant manager.")
    page.get_by_role("button", name="Add note").click()

    notes = page.locator("#notes")
    expect(notes).to_contain_text("Rang the plant manager.")
    expect(notes).to_contain_text("Note added.")
    expect(page.get_by_label("New note")).to_have_value("")  # a fresh form for the next one
    entry = page.locator("#history li").filter(has_text="Rang the plant manager.")
    expect(entry).to_contain_text("created by rita")
    assert page.evaluate("window.notReloaded") is True
    # Redrawn: the notes (the answer) and the timeline (it refreshed on notes-changed).
    expect(notes).not_to_have_attribute("data-untouched", "yes")
    expect(page.locator("#history")).not_to_have_attribute("data-untouched", "yes")
    for panel in panels[:-2]:
        expect(page.locator(f"#{panel}")).to_have_attribute("data-untouched", "yes")
    # Two requests: the note, then the timeline's own refresh.
    assert [re.sub(r"^https?://[^/]+", "", url) for url in requests] == [
        f"/claims/{claim.pk}/notes/",
        f"/claims/{claim.pk}/?panel=history",
    ]
    assert Note.objects.get(claim=claim).text == "Rang the plant manager."
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_a_verdict_redraws_the_panels_that_show_the_claim(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    page = new_page()
    log_in(page, live_server, reviewer, then=f"/claims/{claim.pk}/")
    candidates_loaded(page)
    for panel in ["evidence", "ratings", "notes", "history", "claim-header"]:
        page.locator(f"#{panel}").evaluate(MARK)
    page.evaluate("window.notReloaded = true")

    page.locator("#id_status").select_option("unverifiable")
    page.get_by_role("button", name="Save status").click()

    expect(page.locator("h1 .status")).to_have_text("Unverifiable")  # the header refreshed
    expect(page.locator("#verdict")).to_contain_text("Status set to Unverifiable.")
    expect(page.locator("#history li").first).to_contain_text(f"Claim #{claim.pk} changed by rita")
    # The boundary forms carry the new version: a split right after is not refused as stale.
    expect(page.locator("#claim-boundaries input[name=version]").first).to_have_value("2")
    for panel in ["evidence", "ratings", "notes"]:
        expect(page.locator(f"#{panel}")).to_have_attribute("data-untouched", "yes")
    assert page.evaluate("window.notReloaded") is True
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_contradicting_evidence_on_a_verified_claim_raises_a_warning_in_the_verdict(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    CorroborationFactory(
        claim=claim, stance=Stance.SUPPORTS, independence="independent", outlet="Reuters"
    )
    services.claim_set_status(
        claim=claim, status=ClaimStatus.VERIFIED, reason="Reuters", by=None, version=None
    )
    services.claim_set_credibility(
        claim=claim, credibility=Credibility.PROBABLY_TRUE, by=None, version=None
    )
    page = new_page()
    log_in(page, live_server, reviewer, then=f"/claims/{claim.pk}/")
    candidates_loaded(page)
    warning = page.locator("#verdict-warning")
    expect(warning).to_be_empty()
    page.locator("#verdict form").first.evaluate(MARK)  # the verdict's forms stay as they are
    page.evaluate("window.notReloaded = true")

    page.locator("#evidence summary").click()
    form = page.locator("form[aria-label='Add evidence']")
    form.locator("#id_stance").select_option("contradicts")
    form.locator("#id_outlet").fill("Associated Press")
    form.locator("button[type=submit]").click()

    expect(warning).to_have_text(
        "Verified, yet 1 piece of evidence contradicts it: review the verdict."
    )
    expect(page.locator("#verdict form").first).to_have_attribute("data-untouched", "yes")
    assert page.evaluate("window.notReloaded") is True
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_a_flash_says_what_the_last_action_did_and_goes_at_the_next(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, outlet="Reuters")
    page = new_page()
    log_in(page, live_server, reviewer, then=f"/claims/{claim.pk}/")
    flashes = page.locator("[data-flash]")
    # An edit page saves and comes back: the message is the page's, once.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Excerpt").fill("Output rose 5 percent.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator("#messages")).to_have_text("Evidence updated.")
    candidates_loaded(page)
    page.evaluate("window.notReloaded = true")

    page.get_by_label("New note").fill("Rang the plant manager.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#notes")).to_contain_text("Note added.")
    expect(flashes).to_have_text(["Note added."])  # the page's message went with the action

    page.locator("#ratings").get_by_label("Moderate").check()
    page.get_by_label("Rationale").fill("One wire, one filing.")
    page.get_by_role("button", name="Save my rating").click()
    expect(page.locator("#ratings")).to_contain_text("Your rating is saved.")
    expect(flashes).to_have_text(["Your rating is saved."])
    expect(page.locator("#notes")).not_to_contain_text("Note added.")

    # A refused action takes the older flash away too: it says only why it was refused.
    page.locator("#evidence summary").click()
    page.locator("form[aria-label='Add evidence'] button[type=submit]").click()
    expect(page.locator("#evidence [role=alert]")).to_contain_text("Say where the evidence is")
    expect(flashes).to_have_count(0)
    # Refreshing panels is no action: a flash stays until the reviewer does something.
    page.get_by_label("New note").fill("Emailed the plant.")
    page.get_by_role("button", name="Add note").click()
    expect(flashes).to_have_text(["Note added."])
    expect(page.locator("#history li").filter(has_text="Emailed the plant.")).to_have_count(1)
    expect(flashes).to_have_text(["Note added."])
    assert page.evaluate("window.notReloaded") is True
    assert console.csp_violations() == []
    assert console.script_errors() == []
