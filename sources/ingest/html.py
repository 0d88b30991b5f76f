"""Turn a saved HTML page into an article: main text and metadata extracted with trafilatura.

The page is decoded (byte-order mark, then the page's own `<meta charset>`, then the plain
text decoder's detection), trafilatura extracts the main text — favouring precision, so
navigation, footers and "most read" boxes stay out — and each block it keeps (heading,
paragraph, list item, quote) becomes a paragraph separated by a blank line, which is what
`page.parse_page` reads structure from. That text then goes through the same repair, parse
and segment stages as a plain-text dump (`pipeline.process_text`); the page's metadata
(title, date, author, site name, canonical URL) fills whatever the text itself did not say.

Plain Python, no Django: testable on its own and usable in worker processes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from sources.ingest.decode import _refuse_controls, _refuse_magic, decode_bytes
from sources.ingest.page import find_date
from sources.ingest.pipeline import process_bytes, process_text
from sources.ingest.types import IngestError, ProcessedArticle

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})

# Where a page declares its encoding: <meta charset="…"> or the http-equiv Content-Type.
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# Browsers read these labels as Windows-1252 (WHATWG Encoding Standard); so do we.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
}
# Metadata tags that carry the publication time (trafilatura keeps only the day).
_PUBLISHED_META = (
    "article:published_time",
    "datePublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
)
_WS_RE = re.compile(r"\s+")


@dataclass(slots=True)
class ProcessedPage(ProcessedArticle):
    """A processed article that came from an HTML page, with the page as received."""

    original_html: str = ""


def decode_html(data: bytes, *, name: str = "") -> tuple[str, str]:
    """Decode HTML bytes, honouring a byte-order mark or the page's `<meta charset>`.

    Returns `(html, encoding_name)`. A declared charset that does not fit the bytes is
    ignored (pages lie); then the plain-text decoder decides, and refuses binary or empty
    input with a reason that names the file.
    """
    label = name or "input"
    if not data.strip():
        raise IngestError(f"{label}: empty file")
    _refuse_magic(data, label)
    declared = _declared_charset(data)
    if declared and not data.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        try:
            html = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            _refuse_controls(html, label)
            return html.replace("\r\n", "\n").replace("\r", "\n"), declared
    return decode_bytes(data, name=label)


def _declared_charset(data: bytes) -> str:
    """Return the Python codec for the charset the page declares in its head, or ""."""
    m = _META_CHARSET_RE.search(data[:4096])
    if not m:
        return ""
    label = m.group(1).decode("ascii", "ignore").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def extract_page(html: str, *, name: str = "") -> tuple[str, dict[str, str]]:
    """Extract the main text (blocks separated by blank lines) and the page's metadata.

    Metadata keys: title, date (as found), author, sitename, url, language. Raises
    `IngestError` when the page has no main text.
    """
    import trafilatura  # imported here: loading it costs ~0.3 s and the txt path never needs it

    label = name or "input"
    document = None
    # Precision first; a short page that precision mode throws away gets a second chance.
    for precise in (True, False):
        document = trafilatura.bare_extraction(
            html,
            favor_precision=precise,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            # No guessing a date from the body text ("in 2024" is not a publication date).
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if document is not None and document.body is not None and len(document.body):
            break
        document = None
    if document is None:
        raise IngestError(f"{label}: no article text found in the HTML page")
    blocks = _blocks(document.body)
    title = _clean(document.title or "")
    if title and (not blocks or _clean(blocks[0]).casefold() != title.casefold()):
        # Trafilatura often leaves the headline out of the body: it is the article's first
        # claim, so put it back on top as a plain-text dump would have it.
        blocks.insert(0, title)
    text = "\n\n".join(blocks)
    if not text.strip():
        raise IngestError(f"{label}: no article text found in the HTML page")
    meta = {
        "title": title,
        "date": _published_raw(html, document.date or ""),
        "author": _clean(document.author or ""),
        "sitename": _clean(document.sitename or ""),
        "url": (document.url or "").strip(),
        "language": (document.language or "").strip(),
    }
    return text + "\n", meta


def _blocks(body) -> list[str]:
    """One string per block trafilatura kept; list items as bullet lines of one block."""
    blocks: list[str] = []
    for element in body:
        if element.tag == "list":
            items = [_clean("".join(item.itertext())) for item in element.iter("item")]
            lines = [f"• {item}" for item in items if item]
            if lines:
                blocks.append("\n".join(lines))
            continue
        value = _clean("".join(element.itertext()))
        if value:
            blocks.append(value)
    return blocks


def _clean(value: str) -> str:
    """Collapse white space (trafilatura keeps source line breaks inside paragraphs)."""
    return _WS_RE.sub(" ", value).strip()


def _published_raw(html: str, day: str) -> str:
    """Prefer a full timestamp from the page's metadata when it is on trafilatura's day."""
    head = html[:100_000]
    for key in _PUBLISHED_META:
        m = re.search(
            r"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"']"
            + re.escape(key)
            + r"[\"'][^>]*content\s*=\s*[\"']([^\"']{8,40})[\"']",
            head,
            re.IGNORECASE,
        )
        if m and (not day or m.group(1).startswith(day)):
            return m.group(1).strip()
    return day


def page_domain(url: str) -> str:
    """Return the host of `url` without "www." (how publishers list their domains)."""
    host = urlsplit(url).hostname or ""
    return host.lower().removeprefix("www.")


def process_html_bytes(
    data: bytes, *, source_name: str, max_bytes: int | None = None
) -> ProcessedPage:
    """Decode, extract, repair, parse and segment one saved HTML page.

    The page's metadata fills what the extracted text does not say itself. Raises
    `IngestError` naming the file when the page cannot be an article.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(
            f"{source_name}: file too large ({len(data):,} bytes; the limit is {max_bytes:,})"
        )
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
    if not meta.publisher_name:
        meta.publisher_name = found["sitename"] or page_domain(found["url"])
    if found["url"] and not meta.url:
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
