"""What a reviewer and a lead do in the browser: keyboard triage, evidence, verdict, revert,
a stale edit refused."""

import re

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import Claim, ClaimStatus, Independence, Stance
from tests.factories import ClaimFactory, CorroborationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def users(roles, make_user):
    return {"reviewer": make_user("rita", "reviewer"), "lead": make_user("leo", "lead")}


def log_in(page, live_server, user, *, then: str = "/claims/") -> None:
    """Log in through the login form, arriving at `then`."""
    page.goto(f"{live_server.url}{then}")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}{then}")


def queue_rows(page):
    return page.locator("#claims-table tbody tr[data-claim-id]")


def test_reviewer_verifies_a_claim_with_the_keyboard_and_a_lead_reverts_it(
    live_server, imported_seeds, users, new_page, console, screenshot
):
    page = new_page()
    log_in(page, live_server, users["reviewer"])
    rows = queue_rows(page)
    expect(rows.first).to_be_visible()
    top = Claim.objects.triageable().order_by("-score", "-id").first()
    assert rows.first.get_attribute("data-claim-id") == str(top.pk)

    # j / k move the focus; the focused row is marked and on screen.
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bfocused\b"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bfocused\b"))
    expect(rows.nth(0)).not_to_have_class(re.compile(r"\bfocused\b"))
    expect(rows.nth(1)).to_be_in_viewport()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile(r"\bfocused\b"))

    # x selects the focused row.
    page.keyboard.press("x")
    expect(rows.nth(0).locator("input[name=ids]")).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("1 selected")
    screenshot(page, "screenshot-queue.png")
    page.keyboard.press("x")
    expect(page.locator("#selected-count")).to_have_text("0 selected")

    # ? shows the shortcuts; Escape closes them.
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    # Enter opens the focused claim.
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/claims/{top.pk}/")
    expect(page.locator("h1 .status")).to_have_text("Unreviewed")

    # Verifying without evidence is refused in place (htmx: the page is not reloaded).
    page.evaluate("window.notReloaded = true")
    page.locator("#id_status").select_option("verified")
    page.locator("#id_reason").fill("Reuters reports the same figures")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-error")).to_have_text(
        "Cannot mark as verified: it needs at least one supporting corroboration judged "
        "independent (this claim has none)."
    )
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("h1 .status")).to_have_text("Unreviewed")

    # Add independent supporting evidence through the form.
    page.locator("#evidence summary").click()
    evidence_form = page.locator("form[aria-label='Add evidence']")
    evidence_form.locator("#id_stance").select_option("supports")
    evidence_form.locator("#id_url").fill("https://www.reuters.com/markets/rare-earths")
    evidence_form.locator("#id_outlet").fill("Reuters")
    evidence_form.locator("#id_excerpt").fill("The group was formed by merging three firms.")
    evidence_form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", name="Evidence (1)")).to_be_visible()
    expect(page.locator("#evidence table")).to_contain_text("Independent")
    assert top.corroborations.get().independence == Independence.INDEPENDENT

    # Verify with a reason.
    page.locator("#id_status").select_option("verified")
    page.locator("#id_reason").fill("Reuters reports the same figures")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("h1 .status")).to_have_text("Verified")
    assert page.evaluate("window.notReloaded") is True
    change = page.locator("#history li").filter(has_text="Reason: Reuters reports the same figures")
    expect(change).to_contain_text(f"Claim #{top.pk} changed by rita")
    status_row = change.locator("tr").filter(has_text="status")
    expect(status_row.locator("del")).to_have_text("Unreviewed")
    expect(status_row.locator("ins")).to_have_text("Verified")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "screenshot-claim.png")

    # A lead reverts the verdict: not in one click, but with a reason and a confirmation.
    lead_page = new_page()
    log_in(lead_page, live_server, users["lead"], then=f"/claims/{top.pk}/")
    verdict = lead_page.locator("#history li").filter(
        has_text="Reason: Reuters reports the same figures"
    )
    reverts, dialogs = [], []
    lead_page.on("request", lambda r: reverts.append(r) if "/revert/" in r.url else None)
    lead_page.on("dialog", lambda d: dialogs.append(d))
    button = verdict.get_by_role("button", name="Revert this change")
    button.click()  # no reason yet: the browser asks for one, nothing is asked or sent
    expect(verdict.get_by_label("Why revert it?")).to_have_js_property("validity.valid", False)
    verdict.get_by_label("Why revert it?").fill("The Reuters piece was retracted")
    lead_page.once("dialog", lambda d: d.dismiss())
    button.click()  # then the confirmation, here declined
    lead_page.wait_for_timeout(300)
    assert [d.message for d in dialogs] == [
        f"Revert change #{top.history.latest('history_id').history_id} (Claim #{top.pk})? "
        "What it changed goes back to what it was before."
    ]
    assert reverts == []
    expect(lead_page.locator("h1 .status")).to_have_text("Verified")
    lead_page.once("dialog", lambda d: d.accept())
    button.click()
    expect(lead_page.locator("h1 .status")).to_have_text("Unreviewed")
    assert len(dialogs) == 2 and len(reverts) == 1
    revert = (
        lead_page.locator("#history li")
        .filter(has_text="Reason: Reverted change #")
        .filter(has_text="The Reuters piece was retracted")
    )
    expect(revert).to_contain_text(f"Claim #{top.pk} changed by leo")
    expect(revert.locator("tr").filter(has_text="status").locator("ins")).to_have_text("Unreviewed")
    top.refresh_from_db()
    assert top.status == ClaimStatus.UNREVIEWED

    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_lead_bulk_assigns_two_claims_from_the_queue(
    live_server, imported_seeds, users, new_page, console
):
    page = new_page()
    log_in(page, live_server, users["lead"])
    rows = queue_rows(page)
    first, second = (rows.nth(i).get_attribute("data-claim-id") for i in range(2))

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.locator("#bulk-assignee").select_option(label="rita")
    page.get_by_role("button", name="Assign", exact=True).click()

    results = page.locator("#bulk-results li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_have_text(f"Claim #{first}: Assigned to rita.")
    expect(results.nth(1)).to_have_text(f"Claim #{second}: Assigned to rita.")
    assigned = Claim.objects.filter(assignee=users["reviewer"]).values_list("pk", flat=True)
    assert sorted(assigned) == sorted([int(first), int(second)])
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_reviewer_opening_the_import_page_gets_403(live_server, users, new_page):
    page = new_page()
    log_in(page, live_server, users["reviewer"])

    response = page.goto(f"{live_server.url}/sources/import/")

    assert response.status == 403
    expect(page.get_by_role("link", name="Import")).to_have_count(0)


def test_evidence_saved_on_a_stale_page_is_refused_in_place_and_a_retry_saves(
    live_server, users, new_page, console
):
    evidence = CorroborationFactory(
        claim=ClaimFactory(), stance=Stance.SUPPORTS, outlet="Reuters", excerpt="Output rose."
    )
    claim_url = f"{live_server.url}/claims/{evidence.claim_id}/"
    page = new_page()
    log_in(page, live_server, users["reviewer"], then=f"/claims/{evidence.claim_id}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator("#evidence-edit")).to_be_visible()
    # Someone else edits the same evidence while the page is open.
    services.corroboration_update(corroboration=evidence, by=users["lead"], version=1, outlet="AP")

    page.evaluate("window.notReloaded = true")
    page.get_by_label("Excerpt").fill("Output rose 5 percent.")
    page.get_by_role("button", name="Save").click()

    refusal = page.locator("#stale-edit")
    expect(refusal).to_contain_text("Not saved: someone changed this evidence since you opened it")
    expect(refusal).to_contain_text("outlet: Reuters → AP (leo, ")
    assert page.evaluate("window.notReloaded") is True  # the form fragment was swapped in
    expect(page.get_by_label("Outlet")).to_have_value("AP")  # as it is now, to review
    evidence.refresh_from_db()
    assert (evidence.outlet, evidence.excerpt) == ("AP", "Output rose.")

    page.get_by_label("Excerpt").fill("Output rose 5 percent.")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(claim_url)
    expect(page.locator("#messages")).to_contain_text("Evidence updated.")
    evidence.refresh_from_db()
    assert (evidence.outlet, evidence.excerpt, evidence.version) == (
        "AP",
        "Output rose 5 percent.",
        3,
    )
    assert console.csp_violations() == []
    assert console.script_errors() == []
