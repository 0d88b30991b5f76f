"""Claim families in the browser: a verdict on the representative shows on a member, and a
lead splits a member off, which returns to the queue as its own row."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim
from families.models import ClaimFamily
from tests.browser.test_reviewer_flow import log_in, queue_rows
from tests.families.conftest import family  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verdict_on_the_representative_shows_on_a_member_and_a_split_member_returns(
    live_server,
    roles,
    make_user,
    new_page,
    console,
    family,  # noqa: F811
):
    lead = make_user("lena", "lead")
    _, b, c, _ = family
    rep = Claim.objects.get(pk=ClaimFamily.objects.get().representative_id)
    page = new_page()
    log_in(page, live_server, lead)
    # One row for the family, at its best score (b), its outlets listed on expanding.
    expect(queue_rows(page)).to_have_count(2)
    row = page.locator(f'tr[data-claim-id="{b.pk}"]')
    row.get_by_text("×3 in 3 outlets").click()
    expect(row.locator("details li")).to_have_text(
        ["Harbour Post", "Kestrel Courier", "Lakeside Daily"]
    )

    page.goto(f"{live_server.url}/claims/{rep.pk}/")
    page.locator("#id_status").select_option("unverifiable")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("h1 .status")).to_have_text("Unverifiable")

    page.goto(f"{live_server.url}/claims/{c.pk}/")
    inherited = page.locator("#family-inherited")
    expect(inherited).to_contain_text(
        f"Already checked: Unverifiable — inherited from claim #{rep.pk}"
    )
    inherited.get_by_role("link", name=f"claim #{rep.pk}").click()
    expect(page).to_have_url(f"{live_server.url}/claims/{rep.pk}/")

    page.goto(f"{live_server.url}/claims/{c.pk}/")
    split = page.get_by_role("form", name=f"Split claim {c.pk} off")
    split.get_by_label("Reason").fill("Another plant")
    split.get_by_role("button", name="Split off").click()
    expect(page.locator("#family-panel")).to_contain_text(
        f"Claim #{c.pk} split off into a family of its own."
    )
    expect(page.locator("#family-inherited")).to_have_count(0)

    page.goto(f"{live_server.url}/claims/")
    expect(queue_rows(page)).to_have_count(3)
    expect(page.locator(f'tr[data-claim-id="{c.pk}"]')).to_be_visible()
    expect(page.locator(f'tr[data-claim-id="{b.pk}"]')).to_contain_text("×2 in 2 outlets")
    assert console.csp_violations() == []
    assert console.script_errors() == []
