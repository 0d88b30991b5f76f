"""Names that name nobody: placeholders pages put where a publisher or author belongs.

Plain Python (no Django): the registry (sources/registry.py) refuses them as publishers,
the HTML reader (sources/ingest/html.py) as bylines and site names.
"""

from __future__ import annotations

import re
import unicodedata

from sources.ingest.domains import looks_like_address

# Values that pages put where a publisher or author name belongs but that name nobody.
PLACEHOLDERS = frozenset(
    {
        "",
        "author",
        "authors",
        "admin",
        "administrator",
        "staff",
        "staff writer",
        "staff reporter",
        "editor",
        "editors",
        "editorial",
        "editorial team",
        "editorial staff",
        "desk",
        "news desk",
        "newsdesk",
        "web desk",
        "online desk",
        "unknown",
        "anonymous",
        "n a",
        "na",
        "none",
        "null",
        "nil",
        "undefined",
        "publisher",
        "source",
        "sources",
        "site",
        "website",
        "home",
        "news",
        "by",
        "byline",
        "name",
        "title",
        "organization",
        "organisation",
        "company",
        "reporter",
        "correspondent",
        "guest",
        "guest author",
        "contributor",
        "contributors",
        "team",
        "user",
        "default",
        "test",
        "agencies",
        "agency",
        "wire",
        "wires",
        "other",
        "others",
        "various",
    }
)


def name_key(name: str) -> str:
    """Normalise a name for matching: case, diacritics, punctuation, a leading "The"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[’'`´]", "", text)
    text = re.sub(r"[\W_]+", " ", text).strip()
    return text.removeprefix("the ").strip()


def is_placeholder(name: str) -> bool:
    """Say whether a value names nobody: empty, a field label, a stock word, a bare URL."""
    raw = (name or "").strip()
    if not raw or looks_like_address(raw):
        return True
    key = name_key(raw.rstrip(":"))
    return not key or key in PLACEHOLDERS or not any(c.isalpha() for c in key)
