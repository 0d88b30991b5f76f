"""A reviewer goes from a filter in the queue to the verified-claim report in two clicks."""

import re

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import Claim, ClaimStatus
from tests.browser.test_reviewer_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewer(roles, make_user):
    return make_user("rita", "reviewer")


def test_reviewer_filters_the_queue_and_gets_the_report_and_its_pdf(
    live_server, imported_seeds, reviewer, new_page, console, screenshot
):
    claims = list(Claim.objects.triageable().order_by("-score", "id")[:3])
    for claim in claims:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.UNVERIFIABLE, reason="", by=reviewer, version=None
        )
    page = new_page()
    log_in(page, live_server, reviewer)

    # Filter the queue to the unverifiable claims (htmx swaps the table and the menu).
    page.get_by_role("checkbox", name="Unverifiable").check()
    page.get_by_role("checkbox", name="Unreviewed").uncheck()
    page.get_by_role("checkbox", name="In review").uncheck()
    # The last of the three requests, not the second (in review + unverifiable lists the same
    # three claims, and the last one's swap would close the menu opened below).
    expect(page).to_have_url(
        re.compile(r"^(?!.*status=unreviewed)(?!.*status=in_review).*[?&]status=unverifiable(&|$)")
    )
    expect(page.locator("#claims-table tbody tr[data-claim-id]")).to_have_count(3)

    # Two clicks: Export, then Report.
    page.get_by_text("Export", exact=True).click()
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page).to_have_url(re.compile(r"/claims/report/\?status=unverifiable"))
    expect(page.locator("h1")).to_have_text("Claim report — status: Unverifiable")
    expect(page.locator("#report-total")).to_have_text("3")
    expect(page.locator("#report-counts")).to_contain_text("Unverifiable 3")
    expect(page.locator(".filter")).to_contain_text("Status: Unverifiable")
    expect(page.locator("article.claim")).to_have_count(3)
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar-unverifiable").count() >= 1
    expect(page.locator("#report-hash")).to_have_text(re.compile(r"^sha256:[0-9a-f]{64}$"))
    assert console.csp_violations() == []
    screenshot(page, "screenshot-report.png")

    # The browser's own print layout makes a PDF too (what "Print → Save as PDF" gives).
    printed = page.pdf(format="A4")
    assert printed.startswith(b"%PDF")

    # And the PDF button makes the server-rendered PDF (WeasyPrint; three claims are made at
    # once) and lands on its page, which links the download.
    page.get_by_role("button", name="Make the PDF").click()
    expect(page).to_have_url(re.compile(r"/claims/reports/\d+/$"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("claims-report-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
