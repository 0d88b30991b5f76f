"""Capture at attach: evidence with a URL is fetched in the background and archived, safely."""

from __future__ import annotations

import hashlib

import pytest
from django_tasks_db.models import DBTaskResult

from evidence.choices import CaptureState, ExcerptStatus
from evidence.models import Archive, Capture
from evidence.services import read_body
from evidence.tasks import capture_evidence, check_evidence_links
from tests.evidence.conftest import ARTICLE_HTML

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def captured(evidence) -> Archive:
    capture_evidence.call(evidence.pk)
    return Archive.objects.select_related("capture").get(evidence=evidence)


def test_attaching_evidence_with_a_url_queues_its_capture_and_fetches_nothing_yet(
    allow_loopback, site, attach
):
    url = site.route("/ferry", ARTICLE_HTML)
    evidence = attach(url)
    archive = Archive.objects.get(evidence=evidence)
    assert (archive.state, archive.url) == (CaptureState.PENDING, url)
    task = DBTaskResult.objects.get(task_path=capture_evidence.module_path)
    assert task.args_kwargs == {"args": [evidence.pk], "kwargs": {}}
    assert site.requests == []


def test_evidence_without_a_url_is_not_captured(attach):
    evidence = attach("", excerpt="said on the radio")
    assert not Archive.objects.filter(evidence=evidence).exists()
    assert not DBTaskResult.objects.filter(task_path=capture_evidence.module_path).exists()


def test_a_page_is_captured_with_its_hash_body_text_and_metadata(allow_loopback, site, attach):
    url = site.route("/ferry", ARTICLE_HTML, headers={"etag": '"v1"', "x-secret": "no"})
    archive = captured(attach(url))
    capture = archive.capture
    assert archive.state == CaptureState.CAPTURED
    assert (capture.requested_url, capture.final_url, capture.status_code) == (url, url, 200)
    assert capture.sha256 == hashlib.sha256(ARTICLE_HTML).hexdigest()
    assert read_body(capture) == ARTICLE_HTML
    assert capture.body_name.endswith(".gz")
    assert capture.headers["etag"] == '"v1"'
    assert "x-secret" not in capture.headers  # only the headers that matter
    assert capture.content_type == "text/html"
    assert capture.title == "Harbour ferry returns after winter repairs"
    assert capture.site_name == "Coastline Courier"
    assert capture.author == "Mira Okonkwo"
    assert capture.published.startswith("2026-11-20")
    assert "eleven weeks of repairs" in capture.text
    assert "Home | Local" not in capture.text  # the same extraction as HTML import
    history = [h.history_change_reason for h in archive.history.order_by("history_id")]
    assert history[0] == "capture requested"
    assert history[-1] == f"captured ({capture.sha256[:12]})"


def test_a_capture_is_made_once_however_often_the_task_runs(allow_loopback, site, attach):
    url = site.route("/ferry", ARTICLE_HTML)
    evidence = attach(url)
    captured(evidence)
    assert capture_evidence.call(evidence.pk) == "captured"
    assert site.paths() == ["/ferry"]
    assert Capture.objects.count() == 1


def test_redirects_are_followed_and_recorded(allow_loopback, site, attach):
    final = site.route("/2026/ferry", ARTICLE_HTML)
    start = site.redirect("/short", "/2026/ferry", status=301)
    capture = captured(attach(start)).capture
    assert (capture.final_url, capture.redirects) == (final, [start])


def test_a_redirect_to_a_private_address_is_refused_and_never_requested(
    allow_loopback, site, attach
):
    url = site.redirect("/go", "http://10.20.30.40/admin")
    archive = captured(attach(url))
    assert archive.state == CaptureState.FAILED
    assert archive.error.startswith("refused: 10.20.30.40 is a private address")
    assert archive.capture is None
    assert site.paths() == ["/go"]


def test_a_link_local_metadata_address_is_refused_outright(allow_loopback, attach):
    archive = captured(attach("http://169.254.169.254/latest/meta-data/"))
    assert archive.state == CaptureState.FAILED
    assert archive.error.startswith("refused: 169.254.169.254 is a link-local address")


def test_a_slow_page_times_out(allow_loopback, site, attach):
    url = site.route("/slow", ARTICLE_HTML, delay=2.5)
    archive = captured(attach(url))
    assert (archive.state, archive.error) == (CaptureState.FAILED, "no answer within 1 s")


def test_a_huge_page_is_not_kept_whether_it_says_its_length_or_not(allow_loopback, site, attach):
    told = site.route("/told", b"x" * 300_000)
    streamed = site.route("/streamed", b"y" * 50_000, chunks=20)
    first = captured(attach(told))
    second = captured(attach(streamed))
    assert first.error == "the page is larger than 200,000 bytes (300,000)"
    assert second.error == "the page is larger than 200,000 bytes"
    assert Capture.objects.filter(body_name="").count() == 2  # nothing stored


def report_pdf_bytes() -> bytes:
    """An invented two-page council report, made as a PDF by WeasyPrint (a dependency)."""
    import weasyprint

    html = """<html><head><title>Ferry repairs: final account</title>
    <meta name="author" content="Harbour Council"><meta name="dcterms.created" content="2026-11-21">
    </head><body><p>The harbour ferry returned to service after eleven weeks of repairs.</p>
    <p style="break-before: page">The repairs cost 1.2 million in all.</p></body></html>"""
    return weasyprint.HTML(string=html).write_pdf()


def test_a_pdfs_text_and_document_information_are_read_and_its_excerpt_checked(
    allow_loopback, site, attach
):
    body = report_pdf_bytes()
    url = site.route("/account.pdf", body, content_type="application/pdf")
    archive = captured(attach(url, excerpt="after eleven weeks of repairs"))
    capture = archive.capture
    assert archive.state == CaptureState.CAPTURED
    assert read_body(capture) == body
    assert "harbour ferry returned to service" in capture.text
    assert "cost 1.2 million" in capture.text  # the second page too
    assert (capture.title, capture.author) == ("Ferry repairs: final account", "Harbour Council")
    assert capture.published == "2026-11-21"
    assert archive.excerpt_status == ExcerptStatus.FOUND


def test_a_pdf_without_readable_text_is_kept_as_bytes_and_says_so(allow_loopback, site, attach):
    url = site.route("/report.pdf", PDF, content_type="application/pdf")
    archive = captured(attach(url, excerpt="some words"))
    assert archive.state == CaptureState.CAPTURED
    assert archive.capture.content_type == "application/pdf"
    assert read_body(archive.capture) == PDF
    assert archive.capture.text == ""
    assert archive.excerpt_status == ExcerptStatus.NO_TEXT


def test_plain_text_is_captured_with_its_text(allow_loopback, site, attach):
    url = site.route(
        "/notice.txt", "Road closed – until Friday.\n".encode(), content_type="text/plain"
    )
    archive = captured(attach(url, excerpt="Road closed - until Friday"))
    assert archive.capture.text.startswith("Road closed")
    assert archive.excerpt_status == ExcerptStatus.FOUND


def test_a_page_that_404s_fails_naming_the_status(allow_loopback, site, attach):
    archive = captured(attach(site.url("/missing")))
    assert (archive.state, archive.error) == (CaptureState.FAILED, "the page answered 404")
    assert Capture.objects.get().status_code == 404


def test_another_content_type_is_refused_naming_it(allow_loopback, site, attach):
    url = site.route("/photo", b"\x89PNG....", content_type="image/png")
    archive = captured(attach(url))
    assert (
        archive.error == "content type 'image/png' is not captured (HTML, PDF and plain text are)"
    )


def test_other_schemes_are_refused(allow_loopback, claim, reviewer):
    from evidence.fetching import fetch

    assert fetch("ftp://93.184.215.14/file").error == (
        "refused: the scheme must be http or https, not 'ftp'."
    )


def test_a_dead_workers_capture_and_sweep_are_taken_up_again():
    from imports.workers import _RESUME

    assert _RESUME[capture_evidence.module_path] == capture_evidence.enqueue
    assert _RESUME[check_evidence_links.module_path] == check_evidence_links.enqueue
