"""Find where a page says its content comes from (republication, reprint, syndication).

A page that republishes another outlet's item usually says so: a disclaimer ("This item
originates from state-affiliated Chinese media/entities"), a note ("This article was
originally published by X", "first appeared in X", "republished from X", "reprinted with
permission from X"), a `Source: Xinhua` field on another outlet's page, or a wire dateline
("BEIJING, March 5 (Xinhua) --"). `republished_from` returns the origin it names, or "".

When the page names no specific outlet but a kind of state media ("state-affiliated Chinese
media"), the origin is a registry entry for that kind: "Chinese state-affiliated media
(unspecified)" (created by sources migration 0005 for Chinese media; any other is created
ungraded at import like every unknown outlet). A `Source:` field or a dateline agency that
names the page's own publisher is not a republication.

Plain Python, no Django.
"""

from __future__ import annotations

import re

from sources.ingest.page import _OUTLET_RE, canonical_outlet, story_dateline

# The named origin runs up to the end of the sentence or line.
_ORIGIN = r"(?P<origin>[^\n.;!?()]{2,120}?)"
_END = r"(?=\s*(?:[.;!?(\n]|,\s|$))"

STATEMENT_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:originates|originated)\s+from\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\bthis\s+(?:item|article|story|report|content|piece|post)\s+(?:comes|is\s+taken|was\s+taken)"
        rf"\s+from\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:republished|reprinted|syndicated|adapted|reproduced)\s+(?:with\s+permission\s+)?"
        rf"(?:from|by)\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:first|originally)\s+(?:appeared|published|ran)\s+(?:in|on|by)\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:was|were|is)\s+(?:first\s+|originally\s+)published\s+(?:in|on|by)\s+(?:the\s+)?"
        rf"{_ORIGIN}{_END}",
        rf"\bcourtesy\s+of\s+(?:the\s+)?{_ORIGIN}{_END}",
    )
]
_SOURCE_FIELD_RE = re.compile(
    r"(?im)(?:^|\s)Source\s*:\s*(?P<origin>[^\n|;]{2,80}?)\s*(?:$|[|;]|\s+Published)"
)
_STATE_MEDIA_RE = re.compile(
    r"\b(?P<nation>[A-Z][a-z]+)?\s*(?:state[- ](?P<kind>affiliated|owned|run|controlled|backed)"
    r"|government[- ](?P<gov>affiliated|owned|run|controlled))\s+"
    r"(?P<nation2>[A-Z][a-z]+\s+)?(?:media|news|outlets?|press|entities|sources)",
    re.IGNORECASE,
)
_NATIONS = {
    "chinese": "Chinese",
    "china": "Chinese",
    "russian": "Russian",
    "russia": "Russian",
    "iranian": "Iranian",
    "north korean": "North Korean",
    "korean": "Korean",
    "japanese": "Japanese",
    "vietnamese": "Vietnamese",
}


def state_media_origin(phrase: str) -> str:
    """Name the registry entry for unnamed state media ("Chinese state-affiliated media …")."""
    m = _STATE_MEDIA_RE.search(phrase)
    if m is None:
        return ""
    nation = ""
    for candidate in (m.group("nation2"), m.group("nation")):
        if candidate and candidate.strip().casefold() in _NATIONS:
            nation = _NATIONS[candidate.strip().casefold()]
            break
    kind = (m.group("kind") or m.group("gov") or "affiliated").casefold()
    label = "state-owned" if kind in {"owned", "run"} else "state-affiliated"
    return f"{nation + ' ' if nation else ''}{label} media (unspecified)"


def _clean(origin: str) -> str:
    """Turn the words after "originates from" into an outlet name."""
    origin = " ".join(origin.split()).strip(" ,:-–—\"'“”‘’")
    if state := state_media_origin(origin):
        return state
    known = _OUTLET_RE.search(origin)
    if known:
        return canonical_outlet(known.group(0))
    # "the website of X", "X's website": keep it short and literal; never invent a name.
    origin = re.sub(
        r"^(?:the\s+)?(?:website|site|pages?|newsletter)\s+of\s+", "", origin, flags=re.I
    )
    origin = re.sub(r"(?:['’]s)?\s+(?:website|site)$", "", origin, flags=re.I)
    return canonical_outlet(origin) if 2 <= len(origin) <= 80 else ""


def _same(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return " ".join(s.casefold().split()).removeprefix("the ")

    return bool(a and b) and key(canonical_outlet(a)) == key(canonical_outlet(b))


def republished_from(text: str, *, publisher: str = "") -> str:
    """Return the outlet (or kind of state media) the page says it republishes, or "".

    Explicit statements win over a `Source:` field, which wins over a wire dateline; an
    origin equal to the page's own `publisher` does not count.
    """
    for pattern in STATEMENT_PATTERNS:
        for m in pattern.finditer(text):
            origin = _clean(m.group("origin"))
            if origin and not _same(origin, publisher):
                return origin
    for m in _SOURCE_FIELD_RE.finditer(text[:3000]):
        origin = _clean(m.group("origin"))
        if origin and not _same(origin, publisher):
            return origin
    for paragraph in text.split("\n")[:40]:
        m = story_dateline(paragraph.strip())
        if m and m.group("agency"):
            origin = canonical_outlet(m.group("agency"))
            if not _same(origin, publisher):
                return origin
            break
    return ""
