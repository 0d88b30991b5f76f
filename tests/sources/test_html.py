"""Saved HTML pages: main text and metadata extracted with trafilatura, the page kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Claim, ClaimKind
from imports import queue, uploads
from sources.ingest.html import decode_html, extract_page
from sources.ingest.language import is_language_code
from sources.ingest.pipeline import process_html_bytes
from sources.ingest.types import IngestError
from sources.models import ImportFile, ImportOutcome

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="windows-1252">
<title>Rare earth plant opens in Baotou | Northwind Daily</title>
<meta property="og:site_name" content="Northwind Daily">
<meta property="og:title" content="Rare earth plant opens in Baotou">
<meta name="author" content="Jane Smith">
<meta property="article:published_time" content="2024-03-05T10:20:00+08:00">
<link rel="canonical" href="https://www.northwind.example/news/rare-earth-plant">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/business">Business</a></li></ul></nav>
<header><div class="logo">Northwind Daily</div><form><input name=q></form></header>
<main><article>
<h1>Rare earth plant opens in Baotou</h1>
<p>A new magnet plant opened in Baotou on Tuesday, the company said. It will produce 5,000
tonnes of magnets a year.</p>
<p>“This is a strategic step,” said Li Wei, the plant’s director. Output is expected to
double by 2026.</p>
<p>The plant employs 1,200 workers and cost 3 billion yuan, according to the city
government.</p>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Markets slump on Friday</a></li>
<li><a href="/b">Ten recipes for summer</a></li></ul></aside>
<footer><p>© 2024 Northwind Daily. All rights reserved.</p><a href="/privacy">Privacy policy</a>
<a href="/terms">Terms of use</a></footer>
</body></html>
"""
PAGE_BYTES = PAGE.encode("cp1252")


def test_main_text_leaves_out_navigation_and_footer():
    text, meta = extract_page(PAGE)
    paragraphs = text.strip().split("\n\n")
    assert paragraphs[0] == "Rare earth plant opens in Baotou"
    assert paragraphs[1].startswith("A new magnet plant opened in Baotou on Tuesday")
    assert "5,000 tonnes" in paragraphs[1]  # the source line break is joined
    assert len(paragraphs) == 4
    for chrome in ("World news", "Most read", "Ten recipes", "Privacy policy", "All rights"):
        assert chrome not in text
    assert meta["sitename"] == "Northwind Daily"
    assert meta["author"] == "Jane Smith"


def test_page_declared_charset_is_honoured():
    html, encoding = decode_html(PAGE_BYTES, name="page.html")
    assert encoding == "cp1252"
    assert "“This is a strategic step,”" in html


def test_page_metadata_fills_the_article():
    processed = process_html_bytes(PAGE_BYTES, source_name="page.html")
    meta = processed.meta
    assert meta.title == "Rare earth plant opens in Baotou"
    assert meta.byline == "Jane Smith"
    assert meta.publisher_name == "Northwind Daily"
    assert meta.url == "https://www.northwind.example/news/rare-earth-plant"
    assert meta.published == datetime(2024, 3, 5, 10, 20, tzinfo=timezone(timedelta(hours=8)))
    kinds = [s.kind for s in processed.segments]
    assert kinds[0] == ClaimKind.HEADLINE
    assert ClaimKind.QUOTE in kinds
    assert processed.original_html.startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    ],
)
def test_page_without_an_article_is_refused_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=reason) as exc:
        process_html_bytes(data, source_name="bad.html")
    assert exc.value.reason.startswith("bad.html: ")


@pytest.mark.django_db
def test_uploaded_html_page_becomes_an_article_with_its_original_html():
    batch = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile("baotou.html", PAGE_BYTES, content_type="text/html")], by=None
    )
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    row = ImportFile.objects.get(batch=batch)
    assert row.outcome == ImportOutcome.IMPORTED, row.reason
    article = row.article
    assert article.title == "Rare earth plant opens in Baotou"
    assert article.byline == "Jane Smith"
    assert article.publisher.name == "Northwind Daily"
    assert article.published_at.isoformat() == "2024-03-05T02:20:00+00:00"
    assert article.url == "https://www.northwind.example/news/rare-earth-plant"
    assert article.original_html == PAGE
    assert article.encoding == "cp1252"
    assert "Most read" not in article.text
    for claim in Claim.objects.filter(article=article):
        assert article.text[claim.start : claim.end] == claim.text


# ------------------------------------------------------------------ the page's own metadata

LD_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Lighthouse keepers return to Skerry Point - Harbour Ledger</title>
<meta name="author" content="admin">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Lighthouse keepers return to Skerry Point",
 "datePublished": "2023-07-04T08:15:00Z",
 "author": [{"@type": "Person", "name": "Morag Lindqvist"}, {"@type": "Person", "name": "admin"}],
 "publisher": {"@type": "NewsMediaOrganization", "name": "Harbour Ledger"}}
</script>
<meta property="og:url" content="https://harbourledger.example/coast/keepers-return">
</head><body><main><article>
<h1>Lighthouse keepers return to Skerry Point</h1>
<p>Two keepers moved back into the Skerry Point lighthouse on Monday, the trust said. The
light had been automatic since 1989.</p>
<p>The trust said the keepers would run tours for visitors from August.</p>
<p>(AFP) - The story was first carried by a news agency.</p>
</article></main></body></html>
"""


def test_json_ld_publisher_author_and_date_fill_the_page_metadata():
    processed = process_html_bytes(LD_PAGE.encode(), source_name="keepers.html")
    meta = processed.meta
    assert meta.publisher_name == "Harbour Ledger"
    assert meta.publisher_evidence == {
        "kind": "html-meta",
        "text": "Harbour Ledger",
        "field": "json-ld publisher",
        "why": "the page's json-ld publisher names it",
    }
    assert meta.byline == "Morag Lindqvist"  # "admin" names nobody
    assert meta.published == datetime(2023, 7, 4, 8, 15, tzinfo=timezone(timedelta(0)))
    assert meta.published_raw.startswith("2023-07-04T08:15:00")
    assert meta.url == "https://harbourledger.example/coast/keepers-return"


def test_og_site_name_is_the_publisher_when_there_is_no_json_ld():
    processed = process_html_bytes(PAGE_BYTES, source_name="page.html")
    assert processed.meta.site_name == "Northwind Daily"
    assert processed.meta.publisher_evidence["kind"] == "html-meta"
    assert processed.meta.publisher_evidence["field"] == "og:site_name"


@pytest.mark.parametrize("placeholder", ["admin", "Staff Reporter", "Editorial Team", ""])
def test_placeholder_author_is_left_out(placeholder):
    _, found = extract_page(PAGE.replace('content="Jane Smith"', f'content="{placeholder}"'))
    assert found["author"] == ""


@pytest.mark.parametrize("placeholder", ["admin", "Home", "", "www.northwind.example"])
def test_placeholder_site_name_is_not_the_publisher(placeholder):
    _, found = extract_page(PAGE.replace('content="Northwind Daily"', f'content="{placeholder}"'))
    assert found["sitename"] == "" and found["publisher"] == ""


def test_a_day_without_a_time_stays_a_day():
    page = PAGE.replace("2024-03-05T10:20:00+08:00", "2024-03-05")
    _, found = extract_page(page)
    assert found["date"] == "2024-03-05"


def test_canonical_link_gives_the_url_and_a_relative_or_bogus_one_is_left_out():
    _, found = extract_page(PAGE)
    assert found["url"] == "https://www.northwind.example/news/rare-earth-plant"
    page = PAGE.replace("https://www.northwind.example/news/rare-earth-plant", "javascript:void(0)")
    _, found = extract_page(page)
    assert found["url"] == ""


@pytest.mark.django_db
def test_uploaded_page_keeps_its_html_meta_publisher_evidence():
    batch = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile("keepers.html", LD_PAGE.encode(), content_type="text/html")],
        by=None,
    )
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    article = ImportFile.objects.get(batch=batch).article
    assert article.publisher.name == "Harbour Ledger"
    assert article.publisher_evidence["kind"] == "html-meta"
    assert article.byline == "Morag Lindqvist"
    assert article.published_at.isoformat() == "2023-07-04T08:15:00+00:00"


def test_a_pages_language_tag_is_read_by_the_manifests_rule():
    # One rule (language.is_language_code) for a page's lang and a manifest's language.
    html, _ = decode_html(PAGE_BYTES.replace(b'<html lang="en">', b'<html lang="en_GB">'))
    assert extract_page(html, name="page.html")[1]["language"] == "en_GB"
    assert is_language_code("en_GB") and is_language_code("zh-Hant-TW")
    assert not is_language_code("English") and not is_language_code("")
