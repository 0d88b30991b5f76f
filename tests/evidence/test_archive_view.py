"""The archived copy page: the capture as escaped text, its facts, and the original bytes."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from evidence.models import Archive, Capture
from evidence.services import read_body
from evidence.tasks import capture_evidence
from tests.evidence.conftest import ARTICLE_HTML

pytestmark = pytest.mark.django_db

HOSTILE_HTML = b"""<!doctype html><html><head><title>Notice</title>
<script>document.title = "owned"</script></head><body><article>
<p>The ferry timetable for winter is posted at the quay and online from Monday on.</p>
<p>Readers wrote: &lt;script&gt;alert(1)&lt;/script&gt; appeared in a comment box by mistake.</p>
<p>Tickets bought before the repairs remain valid until the end of the spring season.</p>
</article></body></html>"""


def archived(attach, url, excerpt=""):
    evidence = attach(url, excerpt=excerpt)
    capture_evidence.call(evidence.pk)
    return Archive.objects.select_related("capture").get(evidence=evidence)


def test_the_archive_page_shows_the_capture_as_text_with_its_excerpt_marked(
    allow_loopback, site, attach, rclient
):
    url = site.route("/ferry", ARTICLE_HTML)
    archive = archived(attach, url, excerpt="after eleven weeks of repairs to its hull")
    response = rclient.get(reverse("evidence:archive", args=[archive.evidence_id]))
    assert response.status_code == 200
    page = response.content.decode()
    capture = archive.capture
    assert capture.sha256 in page
    assert f"<code>{url}</code>" in page  # the final URL
    assert "Found</h2>" in page
    assert '<mark id="excerpt">after eleven weeks of repairs to its hull</mark>' in page
    assert "tracker.invalid" not in page  # the page's own script is not in the text
    # The CSP of the site: no inline scripts, nothing remote.
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp


def test_script_in_a_captured_page_is_shown_as_text_never_as_markup(
    allow_loopback, site, attach, rclient
):
    archive = archived(attach, site.route("/notice", HOSTILE_HTML))
    assert "<script>alert(1)</script>" in archive.capture.text
    page = rclient.get(reverse("evidence:archive", args=[archive.evidence_id])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert 'document.title = "owned"' not in page


def test_an_excerpt_found_with_differences_lists_them(allow_loopback, site, attach, rclient):
    url = site.route("/ferry", ARTICLE_HTML)
    archive = archived(attach, url, excerpt="after twelve weeks of repairs to its hull and engines")
    assert archive.excerpt_status == "different"
    page = rclient.get(reverse("evidence:archive", args=[archive.evidence_id])).content.decode()
    assert "Found with differences</h2>" in page
    assert "<td><del>twelve</del></td><td><ins>eleven</ins></td>" in page


def test_the_download_is_the_stored_bytes_as_an_attachment_never_rendered(
    allow_loopback, site, attach, rclient
):
    archive = archived(attach, site.route("/ferry", ARTICLE_HTML))
    response = rclient.get(reverse("evidence:download", args=[archive.evidence_id]))
    assert response.status_code == 200
    assert response.content == ARTICLE_HTML == read_body(archive.capture)
    assert hashlib.sha256(response.content).hexdigest() == archive.capture.sha256
    assert response["Content-Type"] == "application/octet-stream"  # HTML is not served as HTML
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp


def test_a_pdf_downloads_as_a_pdf_attachment(allow_loopback, site, attach, rclient):
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    archive = archived(attach, site.route("/r.pdf", pdf, content_type="application/pdf"))
    response = rclient.get(reverse("evidence:download", args=[archive.evidence_id]))
    assert response.content == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')


def test_another_capture_of_the_evidence_is_shown_and_downloaded_by_its_id(
    allow_loopback, site, attach, rclient
):
    archive = archived(attach, site.route("/ferry", ARTICLE_HTML))
    other = archived(attach, site.route("/other", HOSTILE_HTML))
    url = reverse("evidence:download", args=[archive.evidence_id])
    assert rclient.get(url, {"capture": other.capture_id}).status_code == 404  # not its own
    assert rclient.get(url, {"capture": "x"}).status_code == 404
    assert rclient.get(url, {"capture": archive.capture_id}).content == ARTICLE_HTML


def test_a_failed_capture_says_why_and_has_nothing_to_download(
    allow_loopback, site, attach, rclient
):
    archive = archived(attach, site.url("/missing"))
    page = rclient.get(reverse("evidence:archive", args=[archive.evidence_id]))
    assert "Capture failed: the page answered 404" in page.content.decode()
    download = rclient.get(reverse("evidence:download", args=[archive.evidence_id]))
    assert download.status_code == 404
    assert Capture.objects.count() == 1


def test_the_claim_page_links_each_archived_evidence_to_its_copy(
    allow_loopback, site, attach, rclient, claim
):
    archive = archived(attach, site.route("/ferry", ARTICLE_HTML), excerpt="eleven weeks")
    page = rclient.get(claim.get_absolute_url()).content.decode()
    assert f'href="{reverse("evidence:archive", args=[archive.evidence_id])}"' in page
    assert "excerpt found" in page


def test_the_archive_page_reads_a_fixed_number_of_queries(
    allow_loopback, site, attach, rclient, django_assert_num_queries
):
    archive = archived(attach, site.route("/ferry", ARTICLE_HTML))
    url = reverse("evidence:archive", args=[archive.evidence_id])
    rclient.get(url)
    # session, user, permissions (2), the archive with its joins, the captures list, the
    # user's groups (the page's header)
    with django_assert_num_queries(7):
        rclient.get(url)


def test_without_login_the_archive_is_not_shown(client, allow_loopback, site, attach):
    archive = archived(attach, site.route("/ferry", ARTICLE_HTML))
    for name in ("evidence:archive", "evidence:download"):
        response = client.get(reverse(name, args=[archive.evidence_id]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
