"""The web address a plain-text dump carries of itself, and what a page address must be.

People who save a page as text often keep where it came from: a `URL: …` or `Source: …`
line, "Originally published at …", or the bare address on a line of its own, at the top
or the bottom of the dump. `page_address` finds that line; the pipeline makes the address
the article's URL and the line page chrome (it says where the page is, it claims nothing).

Only the edges of the dump are read (a link in the middle of the story is a reference, not
the page's address), and a bare address or a `Source:` address must have a path: a site's
home page on the last line is usually the company's web site under a press release.
Several bare addresses at one edge are a link list, not an address.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

# Lines read at each edge of the dump (non-blank lines).
EDGE_LINES = 8

_URL = r"<?(?P<url>https?://[^\s<>\"]+?)>?"
_TAIL = r"[\s.;,)\]]*$"
# Labels after which the line's address is the page's own.
_OWN_LABEL_RE = re.compile(
    r"^(?:(?:page |article |original |canonical |web )?(?:url|address|link)|permalink"
    r"|retrieved from|archived from|saved from)\s*[:：]?\s*" + _URL + _TAIL,
    re.IGNORECASE,
)
_SOURCE_LABEL_RE = re.compile(r"^(?:source|via|from)\s*[:：]\s*" + _URL + _TAIL, re.IGNORECASE)
_ORIGINALLY_RE = re.compile(
    r"^(?:this (?:article|story|post|piece) (?:was |is )?)?(?:originally|first)\s+"
    r"(?:published|posted|appeared|ran)\b[^\n]{0,80}?\s" + _URL + _TAIL,
    re.IGNORECASE,
)
_BARE_RE = re.compile(r"^" + _URL + _TAIL)
_TRAILING = ".,;:)]}>'\"’”"


class PageAddress(NamedTuple):
    """The page's URL, where it is printed, and the span of its whole line (the chrome)."""

    url: str
    start: int
    end: int
    line_start: int
    line_end: int


def is_page_url(value: str) -> bool:
    """Say whether a value can be a page's address: http(s), a host with a dot, no spaces."""
    value = (value or "").strip()
    if not value or any(c.isspace() for c in value) or len(value) > 2000:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and "." in host.strip(".")


def _has_path(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.path.strip("/") or parts.query)


def _lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every non-blank line, trimmed."""
    spans = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + len(raw) - len(raw.lstrip())
            spans.append((start, start + len(stripped)))
        pos += len(raw) + 1
    return spans


def _candidate(text: str, start: int, end: int) -> tuple[int, PageAddress] | None:
    """The address a line gives, with its rank (lower is stronger); None if it gives none."""
    line = text[start:end]
    for rank, rx, needs_path in (
        (0, _OWN_LABEL_RE, False),
        (1, _ORIGINALLY_RE, False),
        (2, _SOURCE_LABEL_RE, True),
        (3, _BARE_RE, True),
    ):
        m = rx.match(line)
        if m is None:
            continue
        url = m.group("url").rstrip(_TRAILING)
        if not is_page_url(url) or (needs_path and not _has_path(url)):
            return None
        at = start + m.start("url")
        return rank, PageAddress(url, at, at + len(url), start, end)
    return None


def page_address(text: str) -> PageAddress | None:
    """Find the address a text dump gives of itself near its top or bottom; None if none.

    A labelled line (`URL:`, "Originally published at", `Source:`) wins over a bare address;
    at equal strength the top of the dump wins over the bottom.
    """
    lines = _lines(text)
    if not lines:
        return None
    top = lines[:EDGE_LINES]
    bottom = [span for span in lines[-EDGE_LINES:] if span not in top]
    best: tuple[int, int, PageAddress] | None = None
    for edge, spans in enumerate((top, bottom)):
        found = [c for c in (_candidate(text, s, e) for s, e in spans) if c is not None]
        if sum(rank == 3 for rank, _ in found) > 1:  # a list of links
            found = [(rank, a) for rank, a in found if rank != 3]
        for rank, address in found:
            key = (rank, edge)
            if best is None or key < best[:2]:
                best = (rank, edge, address)
    return best[2] if best is not None else None
