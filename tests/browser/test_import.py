"""What an admin does to bring articles in: upload a zip, watch it import, read the outcomes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from imports import queue, uploads
from imports.models import WorkerHeartbeat
from imports.workers import import_workers_recover
from sources.models import ImportBatch
from tests.browser.test_reviewer_flow import log_in
from tests.conftest import seed_path
from tests.factories import zip_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def users(roles, make_user):
    return {"admin": make_user("ada", "admin"), "reviewer": make_user("rita", "reviewer")}


def batch_zip() -> bytes:
    good = seed_path("004").read_bytes()
    page = (
        b"<html><head><title>Magnet plant opens</title></head><body><article>"
        b"<h1>Magnet plant opens</h1><p>The plant produced 900 tonnes of magnets in 2024, "
        b"the company said. Output rose 5 percent.</p></article></body></html>"
    )
    return zip_of(
        {
            "good.txt": good,
            "again/good-copy.txt": good,
            "empty.txt": b"",
            "binary.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            "big.txt": bytes(range(32, 127)) * 2000,  # 190,000 bytes
            "plant.html": page,
        }
    )


def test_admin_uploads_a_zip_and_sees_progress_and_every_outcome(
    live_server, users, new_page, console, settings, screenshot
):
    settings.IMPORT_MAX_FILE_BYTES = 100_000
    settings.IMPORT_WORKER_GRACE_SECONDS = 0  # no db_worker runs here: say so at once
    page = new_page()
    log_in(page, live_server, users["admin"], then="/sources/import/")
    page.get_by_label("Article files").set_input_files(
        [
            {"name": "batch.zip", "mimeType": "application/zip", "buffer": batch_zip()},
            # An empty file beside it: refused alone, by name; the rest of the upload goes on.
            {"name": "blank.html", "mimeType": "text/html", "buffer": b""},
        ]
    )
    page.get_by_role("button", name="Import").click()

    batch = ImportBatch.objects.get()
    expect(page).to_have_url(f"{live_server.url}/sources/import/{batch.pk}/")
    # The oversized entry and the empty files were refused on upload; nothing else is done yet.
    expect(page.locator("#progress-text")).to_have_text(re.compile(r"^3 of 7 files done"))
    expect(page.locator("#worker-warning")).to_contain_text(
        "No worker is processing imports. Start one with .venv/bin/python manage.py db_worker"
    )
    expect(page.locator("#import-progress")).to_have_attribute("value", "3")

    # A worker takes two files: the page follows by itself (htmx polling).
    queue.import_batch_process(batch_id=batch.pk, worker="test-worker", limit=2)
    expect(page.locator("#progress-text")).to_have_text(re.compile(r"^5 of 7 files done"))
    expect(page.locator("#import-files")).to_have_count(0)

    queue.import_batch_process(batch_id=batch.pk, worker="test-worker")
    expect(page.locator("#progress-text")).to_have_text(re.compile(r"^7 of 7 files done"))
    expect(page.locator("#progress")).to_have_attribute("data-finished", "true")
    expect(page.locator("#worker-warning")).to_have_count(0)

    rows = page.locator("#import-files tbody tr")
    expect(rows).to_have_count(7)

    def row(name: str):
        return page.locator(f'#import-files tr[data-name="batch.zip/{name}"]')

    good = batch.files.get(name="batch.zip/good.txt")
    expect(row("good.txt").locator("td").nth(1)).to_have_text("Imported")
    expect(row("good.txt").locator("td").nth(2)).to_contain_text(f"{good.claims_created} claims")
    expect(row("good.txt").get_by_role("link")).to_have_attribute(
        "href", f"/sources/articles/{good.article_id}/"
    )
    expect(row("again/good-copy.txt")).to_contain_text(f"duplicate of article {good.article_id}")
    expect(row("empty.txt")).to_contain_text("batch.zip/empty.txt: the file is empty")
    blank = page.locator('#import-files tr[data-name="blank.html"]')
    expect(blank.locator("td").nth(1)).to_have_text("Rejected")
    expect(blank).to_contain_text("blank.html: the file is empty")
    expect(row("binary.txt")).to_contain_text("binary file (PNG image)")
    expect(row("big.txt")).to_contain_text("file too large (190,000 bytes; the limit is 100,000)")
    expect(row("plant.html")).to_contain_text("Imported")
    expect(page.locator("#progress-counts")).to_have_text("2 imported · 1 duplicate · 4 rejected")
    screenshot(page, "screenshot-import.png")

    # Polling has stopped: the finished fragment carries no trigger.
    assert page.locator("#progress").get_attribute("hx-trigger") is None
    # The history lists the batch; the report downloads.
    page.get_by_role("link", name="All imports").first.click()
    history = page.locator(f'#import-history tr[data-batch-id="{batch.pk}"]')
    expect(history).to_contain_text("ada")
    with page.expect_download() as download:
        history.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"import-{batch.pk}-report.csv"
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_the_batch_page_says_by_itself_when_its_worker_stops_beating(
    live_server, users, new_page, console, settings
):
    """The worker is killed while the page is open: its poll says so, and then takes over."""
    settings.IMPORT_CLAIM_GROUP = 1
    batch = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile("b.zip", zip_of({"a.txt": seed_path("004").read_bytes()}))],
        by=users["admin"],
    )
    batch.refresh_from_db()
    DBTaskResult.objects.get(id=batch.task_ids[0]).claim("doomed")
    queue.import_files_claim(batch_id=batch.pk, worker="host-a:111:run1", size=1)
    now = timezone.now()
    heartbeat = WorkerHeartbeat.objects.create(
        worker_id="doomed", host="host-a", pid=111, started_at=now, beat_at=now
    )
    page = new_page()
    log_in(page, live_server, users["admin"], then=f"/sources/import/{batch.pk}/")
    expect(page.locator("#progress-text")).to_have_text(re.compile(r"^0 of 1 file done"))
    expect(page.locator("#worker-warning")).to_have_count(0)

    heartbeat.beat_at = now - timedelta(seconds=settings.IMPORT_WORKER_DEAD_SECONDS + 1)
    heartbeat.save()  # no beat since: the worker is dead
    warning = page.locator("#worker-warning")
    expect(warning).to_contain_text("No worker is processing imports")
    expect(warning).to_contain_text("the worker importing this batch stopped at")
    expect(warning.locator("time")).to_have_text(
        timezone.localtime(heartbeat.beat_at).strftime("%H:%M:%S")
    )

    import_workers_recover()  # the next worker to start
    queue.import_batch_process(batch_id=batch.pk, worker="host-b:222:run1")
    expect(page.locator("#progress")).to_have_attribute("data-finished", "true")
    expect(page.locator("#worker-warning")).to_have_count(0)
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_reviewer_gets_403_on_every_import_page_and_endpoint(live_server, users, new_page):
    batch = ImportBatch.objects.create(origin="upload", created_by=users["admin"])
    page = new_page()
    log_in(page, live_server, users["reviewer"])
    for path in (
        "/sources/import/",
        f"/sources/import/{batch.pk}/",
        "/sources/import/history/",
        f"/sources/import/{batch.pk}/report.csv",
    ):
        response = page.request.get(f"{live_server.url}{path}")
        assert response.status == 403, path
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path in ("/sources/import/", f"/sources/import/{batch.pk}/resume/"):
        response = page.request.post(
            f"{live_server.url}{path}",
            headers={"X-CSRFToken": token, "Referer": live_server.url},
            multipart={"files": {"name": "a.txt", "mimeType": "text/plain", "buffer": b"x"}},
        )
        assert response.status == 403, path
        # Refused for the role, not for the token: the site's 403 page says which role may.
        assert "CSRF verification failed" not in response.text()
        assert "that needs the admin role" in response.text()
    assert ImportBatch.objects.count() == 1
