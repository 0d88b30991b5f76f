"""The API in the browser: a user makes a token on their page and uses it; the docs page
works from our own files under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_reviewer_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_makes_a_token_and_reads_the_api_docs(
    live_server, roles, make_user, new_page, console
):
    reviewer = make_user("rita", "reviewer")
    page = new_page()
    log_in(page, live_server, reviewer)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Newsroom CMS")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text()
    assert re.fullmatch(r"wb_[0-9a-f]{8}_[\w-]+", secret)
    expect(page.locator("#tokens")).to_contain_text("Newsroom CMS")

    # The token works for a program (no session, no cookie).
    response = page.request.get(
        f"{live_server.url}/api/v1/claims/",
        headers={"Authorization": f"Bearer {secret}", "Cookie": ""},
    )
    assert response.status == 200
    assert response.json()["results"] == []

    page.locator("#tokens").get_by_role("button", name="Revoke").click()
    expect(page.locator("#tokens")).to_contain_text("revoked")

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("Claim workbench API")).to_be_visible()
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator("text=/api/v1/claims/{id}/status/")).to_have_count(1)
    assert console.csp_violations() == []
    assert console.script_errors() == []
