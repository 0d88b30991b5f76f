"""A reviewer asks for the PDF report from the queue's Export menu, watches it being made in
the background and downloads it."""

import re

import pytest
from playwright.sync_api import expect

from claims.models import ReportJob
from tests.browser.test_reviewer_flow import log_in
from tests.claims.test_exports import article_claims
from tests.claims.test_report_pdf import run_worker
from tests.factories import PublisherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_gets_the_pdf_made_by_a_worker_from_the_export_menu(
    live_server, roles, make_user, new_page, console, settings, screenshot
):
    settings.REPORT_PDF_INLINE_CLAIMS = 2  # three claims: the background path
    settings.REPORT_WORKER_GRACE_SECONDS = 0  # no worker runs until the test runs one
    reviewer = make_user("rita", "reviewer")
    article_claims(publisher=PublisherFactory(name="Global Times"), reviewer=reviewer)
    page = new_page()
    log_in(page, live_server, reviewer, then="/claims/?status=verified")

    page.get_by_text("Export", exact=True).click()
    page.get_by_role("button", name="Report (PDF)").click()
    expect(page).to_have_url(re.compile(r"/claims/reports/\d+/$"))
    job = ReportJob.objects.get()
    expect(page.locator("h1")).to_have_text(f"PDF report #{job.pk}")
    expect(page.get_by_text("Verified-claim report")).to_be_visible()
    expect(page.locator("#report-bar")).to_be_visible()
    expect(page.locator("#worker-warning")).to_contain_text("No worker is making reports")

    run_worker()  # what `manage.py db_worker` does, here; the page's polling picks it up

    expect(page.locator("#report-status")).to_contain_text("Ready: 3 claims on 1 page")
    expect(page.locator("#worker-warning")).to_have_count(0)
    screenshot(page, "screenshot-report-pdf.png")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("claims-report-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert console.csp_violations() == [] and console.script_errors() == []
