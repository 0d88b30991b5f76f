"""Read a saved HTML page: decode it, extract its main text and its own metadata (trafilatura).

The page is decoded (byte-order mark, then the page's own `<meta charset>`, then the plain
text decoder's detection), trafilatura extracts the main text — favouring precision, so
navigation, footers and "most read" boxes stay out — and each block it keeps (heading,
paragraph, list item, quote) becomes a paragraph separated by a blank line, which is what
`page.parse_page` reads structure from. The page's metadata (title, date, author, site
name, canonical URL) is read too; `pipeline.process_html_bytes` runs the text through the
same stages as a plain-text dump and lets that metadata fill what the text did not say.

Plain Python, no Django: testable on its own and usable in worker processes.
"""

from __future__ import annotations

import codecs
import re

from sources.ingest.address import is_page_url
from sources.ingest.decode import decode_bytes, refuse_controls, refuse_magic
from sources.ingest.language import is_language_code
from sources.ingest.names import PLACEHOLDERS, is_placeholder
from sources.ingest.types import IngestError

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
_WS_RE = re.compile(r"\s+")


def decode_html(data: bytes, *, name: str = "") -> tuple[str, str]:
    """Decode HTML bytes, honouring a byte-order mark or the page's `<meta charset>`.

    Returns `(html, encoding_name)`. A declared charset that does not fit the bytes is
    ignored (pages lie); then the plain-text decoder decides, and refuses binary or empty
    input with a reason that names the file.
    """
    label = name or "input"
    if not data.strip():
        raise IngestError(f"{label}: empty file")
    refuse_magic(data, label)
    declared = _declared_charset(data)
    if declared and not data.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        try:
            html = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            refuse_controls(html, label)
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
    return value if is_language_code(value) else ""


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
