"""Country names as the publisher registry spells them, for checking what a lead types.

The independence rules compare publishers' countries as text (claims/independence.py,
`unnamed_state_origin`: "Chinese state media" covers every state outlet whose country is
"China"), so "china", "CN" and "China" must all be stored as the one spelling. The names are
CLDR's English territory names (babel's bundled copy, no network), except where the shipped
registry files already spell a country otherwise ("Hong Kong", not "Hong Kong SAR China");
an ISO 3166 alpha-2 code is read as its country.

Plain Python (no Django).
"""

from __future__ import annotations

from functools import cache

from babel import Locale

# Where the registry files (sources/data/) spell a country otherwise than CLDR does.
REGISTRY_SPELLINGS = {
    "BA": "Bosnia and Herzegovina",
    "CD": "DR Congo",
    "CG": "Congo",
    "CI": "Côte d'Ivoire",
    "GM": "The Gambia",
    "HK": "Hong Kong",
    "MM": "Myanmar",
    "MO": "Macao",
    "PS": "Palestine territories",
    "TR": "Turkey",
}
# Other names people type for a country (the registry files use some of them too).
OTHER_NAMES = {
    "UAE": "AE",
    "United States of America": "US",
    "USA": "US",
    "UK": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "Korea": "KR",
    "Republic of Korea": "KR",
    "PRC": "CN",
    "People's Republic of China": "CN",
    "Türkiye": "TR",
    "Czech Republic": "CZ",
}


@cache
def _names() -> dict[str, str]:
    """Every accepted spelling, case-folded → the registry's spelling."""
    names: dict[str, str] = {}
    for code, cldr in Locale("en").territories.items():
        if len(code) != 2 or not code.isalpha():
            continue  # regions ("001", "150") are not countries
        name = REGISTRY_SPELLINGS.get(code, cldr)
        for spelling in (code, cldr, name):
            names.setdefault(spelling.casefold(), name)
    for spelling, code in OTHER_NAMES.items():
        names[spelling.casefold()] = names[code.casefold()]
    return names


def canonical_country(value: str) -> str | None:
    """Return the registry's spelling of a country name or code, or None if it is none.

    "china", "CN" → "China"; "hong kong" → "Hong Kong"; "Chna" → None.
    """
    key = " ".join((value or "").replace("’", "'").split()).casefold()
    return _names().get(key) if key else None
