"""Run the ingestion stages on one document: bytes in, canonical text and segments out."""

from __future__ import annotations

import hashlib

from sources.ingest.address import PageAddress, page_address
from sources.ingest.decode import decode_bytes
from sources.ingest.fingerprint import fingerprint_for
from sources.ingest.kinds import CLAIM_KINDS, SegmentKind
from sources.ingest.page import parse_page
from sources.ingest.provenance import text_origin
from sources.ingest.repair import repair_text
from sources.ingest.segment import segment_page
from sources.ingest.types import IngestError, ProcessedArticle, Segment


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
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(
            f"{source_name}: file too large ({len(data):,} bytes; the limit is {max_bytes:,})"
        )
    received, encoding = decode_bytes(data, name=source_name)
    return process_text(received, source_name=source_name, encoding=encoding)
