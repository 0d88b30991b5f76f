"""Run the ingestion stages on one document: bytes in, canonical text and segments out.

The entry points: `process_document` (one file of a supported type, by `content_type_for`
its name), `process_bytes` (a plain-text page dump), `process_html_bytes` (a saved HTML
page: its main text extracted by `html.py`, then the same stages, the page's own metadata
filling what the text does not say), `process_text` (already-decoded text) and
`process_job` (one job of a process pool). Each returns a `ProcessedArticle` (a
`ProcessedPage` for HTML) or raises `IngestError` with a reason that names the file.

Plain Python, no Django: testable on its own and usable in worker processes.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields

from sources.ingest.address import PageAddress, page_address
from sources.ingest.dates import find_date
from sources.ingest.decode import decode_bytes
from sources.ingest.domains import listed_host
from sources.ingest.fingerprint import fingerprint_for
from sources.ingest.html import decode_html, extract_page
from sources.ingest.kinds import CLAIM_KINDS, SegmentKind
from sources.ingest.page import parse_page
from sources.ingest.provenance import text_origin
from sources.ingest.repair import repair_text
from sources.ingest.segment import segment_page
from sources.ingest.types import (
    Evidence,
    IngestError,
    ProcessedArticle,
    ProcessedPage,
    Segment,
)

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})


def text_sha256(text: str) -> str:
    """Return the hex SHA-256 of the canonical text: the article's identity for de-duplication."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def process_text(received: str, *, source_name: str, encoding: str = "utf-8") -> ProcessedArticle:
    """Repair, parse and segment already-decoded text.

    A dump that gives its own web address (`address.page_address`) gets it as its URL; the
    address line is parsed as if blank — so it is never a headline, a "Source:" publisher
    or a claim — and kept as one chrome segment.
    """
    repaired = repair_text(received)
    text = repaired.text
    if not text.strip():
        raise IngestError(f"{source_name}: empty file (nothing but white space)")
    address = page_address(text)
    seen = _without(text, address) if address is not None else text
    page = parse_page(seen)
    page.meta.origin_name, page.meta.origin_evidence = text_origin(seen)
    segments = segment_page(page, seen)
    if address is not None:
        page.meta.url = address.url
        segments = _with_chrome(segments, address.line_start, address.line_end)
    if not any(seg.kind in CLAIM_KINDS for seg in segments):
        raise IngestError(f"{source_name}: no statements found (only page chrome)")
    return ProcessedArticle(
        source_name=source_name,
        received=received,
        text=text,
        encoding=encoding,
        repairs=repaired.repairs,
        meta=page.meta,
        segments=segments,
        sha256=text_sha256(text),
        fingerprint=fingerprint_for(text, segments),
    )


def _without(text: str, address: PageAddress) -> str:
    """The text with the address line blanked out, every offset unchanged."""
    width = address.line_end - address.line_start
    return text[: address.line_start] + " " * width + text[address.line_end :]


def _with_chrome(segments: list[Segment], start: int, end: int) -> list[Segment]:
    """The segments with `start:end` as one chrome segment (nothing else overlaps it)."""
    kept = [s for s in segments if s.end <= start or s.start >= end]
    kept.append(Segment(start, end, SegmentKind.CHROME))
    return sorted(kept, key=lambda s: s.start)


def process_bytes(
    data: bytes, *, source_name: str, max_bytes: int | None = None
) -> ProcessedArticle:
    """Decode, repair, parse and segment one plain-text page dump.

    Raises IngestError with a reason that names the file when the input cannot be an article.
    """
    _refuse_too_large(data, source_name, max_bytes)
    received, encoding = decode_bytes(data, name=source_name)
    return process_text(received, source_name=source_name, encoding=encoding)


def _refuse_too_large(data: bytes, source_name: str, max_bytes: int | None) -> None:
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(
            f"{source_name}: file too large ({len(data):,} bytes; the limit is {max_bytes:,})"
        )


def process_html_bytes(
    data: bytes, *, source_name: str, max_bytes: int | None = None
) -> ProcessedPage:
    """Decode, extract, repair, parse and segment one saved HTML page.

    The page's metadata fills what the extracted text does not say itself. Raises
    `IngestError` naming the file when the page cannot be an article.
    """
    _refuse_too_large(data, source_name, max_bytes)
    html, encoding = decode_html(data, name=source_name)
    text, found = extract_page(html, name=source_name)
    processed = process_text(text, source_name=source_name, encoding=encoding)
    meta = processed.meta
    if found["title"] and not meta.title:
        meta.title = found["title"]
    if found["date"] and meta.published is None:
        parsed = find_date(found["date"])
        if parsed is not None:
            meta.published = parsed[0]
            meta.published_raw = found["date"]
    if found["author"] and not meta.byline:
        meta.byline = found["author"]
    meta.site_name = found["sitename"]
    if found["publisher"]:
        # The site's own declaration outranks a name read off the text (a wire credit in
        # the story says whose text it is, not who put the page online).
        meta.publisher_name = found["publisher"]
        meta.publisher_evidence = Evidence(
            kind="html-meta",
            text=found["publisher"],
            field=found["publisher_field"],
            why=f"the page's {found['publisher_field']} names it",
        ).as_dict()
    elif not meta.publisher_name:
        meta.publisher_name = listed_host(found["url"])
    if found["url"]:  # the page's canonical address outranks one printed in its text
        meta.url = found["url"]
    if found["language"] and not meta.language:
        meta.language = found["language"][:16]
    values = {f.name: getattr(processed, f.name) for f in fields(ProcessedArticle)}
    # PostgreSQL text cannot hold NUL; a page that has one is kept without it.
    return ProcessedPage(**values, original_html=html.replace("\x00", ""))


def content_type_for(name: str) -> str:
    """Return "txt", "html" or "zip" for a file name by its suffix; "" if unsupported."""
    lower = name.lower()
    suffix = lower[lower.rfind(".") :] if "." in lower.rsplit("/", 1)[-1] else ""
    if suffix in TEXT_SUFFIXES:
        return "txt"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix == ".zip":
        return "zip"
    return ""


def process_document(
    data: bytes, *, source_name: str, content_type: str, max_bytes: int | None = None
) -> ProcessedArticle:
    """Process one article file of a supported type ("txt" or "html")."""
    if content_type == "html":
        return process_html_bytes(data, source_name=source_name, max_bytes=max_bytes)
    if content_type == "txt":
        return process_bytes(data, source_name=source_name, max_bytes=max_bytes)
    raise IngestError(f"{source_name}: unsupported file type (expected .txt, .html or .htm)")


def process_job(
    job: tuple[str, str, str | bytes], max_bytes: int | None = None
) -> tuple[str, int, ProcessedArticle | IngestError]:
    """Process one `(name, content_type, path or bytes)` job; return the error, not raise.

    Top-level and Django-free so a process pool can run it (the `import_articles` command).
    """
    name, content_type, payload = job
    if isinstance(payload, str):
        try:
            with open(payload, "rb") as handle:
                data = handle.read(max_bytes + 1 if max_bytes is not None else -1)
        except OSError as exc:
            return name, 0, IngestError(f"{name}: cannot read file ({exc.strerror or exc})")
    else:
        data = payload
    try:
        processed = process_document(
            data, source_name=name, content_type=content_type, max_bytes=max_bytes
        )
    except IngestError as exc:
        return name, len(data), exc
    return name, len(data), processed
