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

from sources.ingest.address import is_page_url
from sources.ingest.dates import find_date
from sources.ingest.decode import _refuse_controls, _refuse_magic, decode_bytes
from sources.ingest.names import PLACEHOLDERS, is_placeholder
from sources.ingest.pipeline import process_bytes, process_text
from sources.ingest.types import Evidence, IngestError, ProcessedArticle

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
# htmldate's output: the publication time with its zone (a bare day ends in T00:00:00).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")
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

    Metadata keys (see `page_metadata`): title, date, author, sitename, url, language,
    publisher and publisher_field. Raises `IngestError` when the page has no main text.
    """
    import trafilatura  # imported here: loading it costs ~0.3 s and the txt path never needs it

    label = name or "input"
    tree = trafilatura.load_html(html)
    if tree is None:
        raise IngestError(f"{label}: no article text found in the HTML page")
    meta = page_metadata(tree)
    document = None
    # Precision first; a short page that precision mode throws away gets a second chance.
    for precise in (True, False):
        document = trafilatura.bare_extraction(
            tree,  # trafilatura works on its own copy
            favor_precision=precise,
            with_metadata=False,  # read once, by page_metadata
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
        if document is not None and document.body is not None and len(document.body):
            break
        document = None
    if document is None:
        raise IngestError(f"{label}: no article text found in the HTML page")
    blocks = _blocks(document.body)
    title = meta["title"]
    if title and (not blocks or _clean(blocks[0]).casefold() != title.casefold()):
        # Trafilatura often leaves the headline out of the body: it is the article's first
        # claim, so put it back on top as a plain-text dump would have it.
        blocks.insert(0, title)
    text = "\n\n".join(blocks)
    if not text.strip():
        raise IngestError(f"{label}: no article text found in the HTML page")
    return text + "\n", meta


def page_metadata(tree) -> dict[str, str]:
    """Read the page's own metadata with trafilatura: meta tags, OpenGraph and JSON-LD.

    Returns title, date (the publication time in ISO 8601 when the page gives one, else
    the day, else ""), author (names joined by ", ", placeholders such as "admin" left
    out), sitename (og:site_name, else the JSON-LD publisher, else another site-name tag),
    url (og:url or the canonical link), language (`<html lang>`), and publisher — the
    JSON-LD publisher, else og:site_name — with publisher_field naming where it was found.
    A value that names nobody (an empty or stock word, a bare domain) is left out.
    """
    from trafilatura.metadata import extract_meta_json, extract_opengraph
    from trafilatura.settings import Document

    opengraph = extract_opengraph(tree)
    json_ld = extract_meta_json(tree, Document())
    found = _metadata(tree)
    og_site = _name(opengraph.get("sitename"))
    ld_publisher = _name(json_ld.sitename)
    other_site = _name(found.sitename)
    publisher, publisher_field = "", ""
    for value, where in (
        (ld_publisher, "json-ld publisher"),
        (og_site, "og:site_name"),
        (other_site, "meta site name"),
    ):
        if value:
            publisher, publisher_field = value, where
            break
    url = (found.url or "").strip()
    return {
        "title": _clean(found.title or ""),
        "date": _date(found.date or ""),
        "author": _authors(found.author or ""),
        "sitename": og_site or ld_publisher or other_site,
        "url": url if is_page_url(url) else "",
        "language": _language(tree),
        "publisher": publisher,
        "publisher_field": publisher_field,
    }


def _metadata(tree):
    """Trafilatura's metadata of the page (dates by htmldate, with their time of day)."""
    import trafilatura

    return trafilatura.extract_metadata(
        tree,
        # No guessing a date from the body text ("in 2024" is not a publication date).
        date_config={
            "extensive_search": False,
            "original_date": True,
            "outputformat": _DATE_FORMAT,
        },
        extensive=False,
        author_blacklist=set(PLACEHOLDERS),
    )


def _name(value: str | None) -> str:
    value = _clean(value or "")
    return "" if is_placeholder(value) else value


def _authors(value: str) -> str:
    """Trafilatura's "A; B" as "A, B", without placeholders ("admin", "Staff")."""
    names = [_clean(n) for n in value.split(";")]
    return ", ".join(n for n in names if n and not is_placeholder(n))


def _date(value: str) -> str:
    """The ISO timestamp htmldate gives, or only its day when the page gave no time."""
    value = value.strip()
    if value.endswith("T00:00:00"):  # no time of day and no zone: the page gave a day
        return value[:10]
    return value


def _language(tree) -> str:
    value = (tree.getroottree().getroot().get("lang") or "").strip()
    return value if _LANGUAGE_RE.match(value) else ""


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
        meta.publisher_name = page_domain(found["url"])
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
