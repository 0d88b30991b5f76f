"""The outlet a page names as its publisher, from the page's structure only.

`publisher_of` reads the masthead, the header's "Source:" field, a copyright line, the
site naming itself in its chrome, or the outlet the story's sources "told"; each with its
`Evidence`. `canonical_outlet` tidies a name as printed. Which registry entry a name stands
for is decided outside ingest (`sources/registry.py`); whose text the page is (its origin)
is `provenance.py`'s.

Plain Python, no Django.
"""

from __future__ import annotations

import re

from sources.ingest.domains import looks_like_domain
from sources.ingest.lines import FIELD_LABEL_RE
from sources.ingest.names import is_placeholder
from sources.ingest.provenance import known_names
from sources.ingest.types import Block, BlockRole, Evidence


def canonical_outlet(name: str) -> str:
    """Return an outlet name as a page prints it, without framing punctuation.

    Which outlet a name stands for is the publisher registry's business
    (`sources/registry.py`); ingest only tidies what the page says.
    """
    return " ".join(name.split()).strip(" .,;:|-–—()[]")


def _first(blocks: list[Block], role: str) -> Block | None:
    return next((b for b in blocks if b.role == role), None)


# The site naming itself in its own chrome: "Join the discussion at the X Forum".
_SITE_CHROME_RE = re.compile(
    r"\b(?:at|on|to|from|of)\s+(?:the\s+)?(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})"
    r"\s+(?:Forum|Forums|Community|Newsletter|Newsletters|App|Podcast)\b"
    r"|^Welcome to (?P<welcome>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})\s*[!.]?$"
)
_COPYRIGHT_NAME_RE = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<name>[^.|,\n©]{2,60}?)\s*(?:[.|,]|\ball rights\b|$)",
    re.IGNORECASE,
)
# An outlet several sources speak to is the one printing the story ("… told the Global
# Times"); a name followed by "newspaper" or "in remarks published" is a cited third party.
_TOLD_RE = re.compile(
    r"\btold\s+(?:the\s+)?(?P<name>(?>[A-Z][\w&'’-]*(?:\.\w+)*(?:\s+[A-Z][\w&'’-]*(?:\.\w+)*){0,3}))"
    r"(?!\s+(?:newspaper|agency|news agency|magazine|broadcaster|channel|television|radio|"
    r"in (?:remarks|an interview|comments) (?:published|aired|broadcast)))"
)


def _in_header_fields(text: str, field: Block, blocks: list[Block]) -> bool:
    """Whether a field shares its line with the page's byline or date fields."""
    for other in blocks:
        if other is field or other.role not in {BlockRole.BYLINE, BlockRole.DATELINE}:
            continue
        between = text[min(other.end, field.end) : max(other.start, field.start)]
        if "\n" not in between:
            return True
    return False


def publisher_of(text: str, blocks: list[Block]) -> tuple[str, dict]:
    """Name the outlet that published the page, with its evidence; ("", {}) if none.

    Only what the page's structure says, in this order: (1) a masthead line — the site's
    name at the top; (2) the "Source:" field of the page's own header line, beside its
    byline or date ("By X Source:Global Times Published: …"), unless it names a wire
    agency; (3) a copyright line in the page's chrome; (4) the site naming itself in its
    own chrome ("Join the discussion at the X Forum", "Welcome to X"); (5) an outlet that
    two or more of the story's sources are said to have "told" — interviewees talk to the
    outlet that prints the story. A "Source: X" line on its own, an agency in a dateline or
    a credit ("BANGKOK (AP) —", "(source: Reuters)") say whose text it is (its origin,
    `provenance.text_origin`), not who put the page online: an aggregator reposting a
    mining.com story under "Source: mining.com" is not mining.com. Outlets only cited in
    the body ("the Securities Times reported", one "told NBC News") are never used.
    Which registry entry a name stands for is decided outside ingest (`sources/registry.py`).
    """

    def found(kind: str, name: str, start: int, end: int, why: str) -> tuple[str, dict]:
        return name, Evidence(kind, text[start:end], start, end, why=why).as_dict()

    def agency(name: str) -> bool:  # a wire agency's name says whose text it is: its origin
        return known_names().lookup(name, kinds=frozenset({"agency"})) is not None

    masthead = _first(blocks, BlockRole.MASTHEAD)
    if masthead is not None:
        name = canonical_outlet(masthead.text_of(text))
        if name and not is_placeholder(name):
            why = "the page's first line is a site name (a masthead)"
            return found("masthead", name, masthead.start, masthead.end, why)
    source = _first(blocks, BlockRole.SOURCE)
    if source is not None and _in_header_fields(text, source, blocks):
        value = FIELD_LABEL_RE.sub("", source.text_of(text), count=1)
        name = canonical_outlet(re.split(r"\s*[|;]\s*", value, maxsplit=1)[0])
        if name and not agency(name) and (looks_like_domain(name) or not is_placeholder(name)):
            why = "the page's header fields (byline, source, date) name its source"
            return found("source-line", name, source.start, source.end, why)
    chrome = [b for b in blocks if b.role in {BlockRole.CHROME, BlockRole.CREDIT}]
    for block in chrome:
        m = _COPYRIGHT_NAME_RE.match(block.text_of(text))
        name = canonical_outlet(m.group("name")) if m else ""
        if name.lower().startswith("all rights") or not name or agency(name):
            continue
        if not is_placeholder(name):
            why = "the page's copyright line names its owner"
            return found("copyright", name, block.start, block.end, why)
    for block in chrome:
        m = _SITE_CHROME_RE.search(block.text_of(text))
        if m is not None:
            name = canonical_outlet(m.group("name") or m.group("welcome"))
            if name and not is_placeholder(name):
                why = "the page's own chrome names the site"
                return found("self-reference", name, block.start, block.end, why)
    told: dict[str, list[re.Match[str]]] = {}
    for m in _TOLD_RE.finditer(text):
        name = canonical_outlet(m.group("name"))
        if not agency(name):
            told.setdefault(name, []).append(m)
    best = max(told, key=lambda name: len(told[name]), default="")
    if best and len(told[best]) >= 2 and not is_placeholder(best):
        first = told[best][0]
        why = f"{len(told[best])} of the story's sources told {best}: the outlet printing it"
        return found("self-reference", best, first.start(), first.end(), why)
    return "", {}
