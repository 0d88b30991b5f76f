"""Quantities with units in a sentence, and where two sentences disagree on one.

`quantities("a $250 million deal for 8,500 t")` finds money (in a currency), mass, percentages
and a few other measured kinds, each normalised to one unit (tonnes, the currency's base unit,
percent) so that "8,500 t" and "8.5 thousand tonnes" compare equal. `numeric_conflicts(a, b)`
flags every kind of quantity both sentences state with no value in common ("$250 million"
vs "$300 million", "8,500 t" vs "9,000 tonnes", "5%" vs "7 percent"). Bare numbers (years,
counts without a unit) are ignored: they are too often different things.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
CURRENCY_SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "CNY/JPY",
    "rmb": "CNY",
    "cny": "CNY",
    "₩": "KRW",
    "krw": "KRW",
    "a$": "AUD",
    "c$": "CAD",
}
CURRENCY_WORDS = {
    "dollars": "USD",
    "dollar": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "yuan": "CNY",
    "renminbi": "CNY",
    "won": "KRW",
    "yen": "JPY",
}
# unit -> (kind, factor to the kind's base unit)
UNITS = {
    "t": ("mass", 1.0),
    "tonnes": ("mass", 1.0),
    "tonne": ("mass", 1.0),
    "tons": ("mass", 1.0),
    "ton": ("mass", 1.0),
    "metric tons": ("mass", 1.0),
    "metric tonnes": ("mass", 1.0),
    "mt": ("mass", 1.0),
    "kg": ("mass", 1e-3),
    "kilograms": ("mass", 1e-3),
    "kilogrammes": ("mass", 1e-3),
    "%": ("percent", 1.0),
    "percent": ("percent", 1.0),
    "per cent": ("percent", 1.0),
    "percentage points": ("percentage points", 1.0),
    "km": ("length", 1e3),
    "kilometers": ("length", 1e3),
    "kilometres": ("length", 1e3),
    "square kilometers": ("area", 1.0),
    "square kilometres": ("area", 1.0),
    "hectares": ("area", 0.01),
    "mw": ("power", 1.0),
    "megawatts": ("power", 1.0),
    "gw": ("power", 1e3),
    "gigawatts": ("power", 1e3),
    "employees": ("employees", 1.0),
    "workers": ("employees", 1.0),
    "experts": ("experts", 1.0),
    "companies": ("companies", 1.0),
}

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MULT = r"(?:\s*(?P<mult>thousand|million|billion|trillion|mln|mn|bn|tn|k|m|b)\b)?"
_SYMBOL = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_WORD = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
# "$250 million", "US$1.2bn": a currency symbol or code before the number.
_MONEY_RE = re.compile(rf"(?P<sym>{_SYMBOL})\s?{_NUM}{_MULT}", re.IGNORECASE)
# "8,500 t", "300 million yuan", "5 percent": a unit or currency word after the number.
_UNIT_RE = re.compile(
    rf"(?<![\w.,$€£¥₩]){_NUM}{_MULT}\s*"
    rf"(?:(?:metric\s+)?(?P<word>{_WORD})\b|(?P<unit>{_UNIT})(?!\w))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit, normalised: `value` is in the base unit of `unit`."""

    value: float
    kind: str  # "money", "mass", "percent", …
    unit: str  # currency code for money; the kind's base unit otherwise
    text: str
    start: int
    end: int

    def same_kind(self, other: Quantity) -> bool:
        return self.kind == other.kind and self.unit == other.unit

    def equals(self, other: Quantity, *, tolerance: float = 0.005) -> bool:
        """Equal within a relative tolerance (rounding: "8.5 thousand" vs "8,500")."""
        scale = max(abs(self.value), abs(other.value), 1e-12)
        return abs(self.value - other.value) / scale <= tolerance


def quantities(text: str) -> list[Quantity]:
    """Return the quantities with a unit or currency stated in `text`, in order."""
    found: list[Quantity] = []
    matches = sorted([*_MONEY_RE.finditer(text), *_UNIT_RE.finditer(text)], key=lambda m: m.start())
    taken = -1
    for m in matches:
        if m.start() < taken:
            continue
        groups = m.groupdict()
        number = float(m.group("num").replace(",", ""))
        mult = (m.group("mult") or "").casefold()
        if mult in {"m", "b", "k"} and not groups.get("sym"):
            # "5 m" is metres more often than millions: bare "m"/"b"/"k" only after "$".
            continue
        number *= MULTIPLIERS.get(mult, 1.0)
        if groups.get("sym"):
            kind, unit = "money", CURRENCY_SYMBOLS[m.group("sym").casefold()]
        elif groups.get("word"):
            kind, unit = "money", CURRENCY_WORDS[m.group("word").casefold()]
        else:
            unit_key = " ".join(m.group("unit").casefold().split())
            kind, factor = UNITS[unit_key]
            number *= factor
            unit = kind
        found.append(Quantity(number, kind, unit, m.group(0).strip(), m.start(), m.end()))
        taken = m.end()
    return found


@lru_cache(maxsize=65536)
def _quantities(text: str) -> tuple[Quantity, ...]:
    # Claim families compare one claim with many (sources/ingest/statements.py).
    return tuple(quantities(text))


@dataclass(frozen=True, slots=True)
class NumericConflict:
    """Both texts state this kind of quantity, with no value in common."""

    kind: str
    ours: Quantity
    theirs: Quantity

    def describe(self) -> str:
        return f"{self.kind}: {self.ours.text} vs {self.theirs.text}"


def numeric_conflicts(ours: str, theirs: str) -> list[NumericConflict]:
    """Return one conflict per kind of quantity that the two texts state differently."""
    a, b = _quantities(ours), _quantities(theirs)
    conflicts: list[NumericConflict] = []
    seen: set[tuple[str, str]] = set()
    for q in a:
        key = (q.kind, q.unit)
        if key in seen:
            continue
        seen.add(key)
        mine = [x for x in a if x.same_kind(q)]
        other = [y for y in b if y.same_kind(q)]
        if not other:
            continue
        if any(x.equals(y) for x in mine for y in other):
            continue
        conflicts.append(NumericConflict(q.kind, q, other[0]))
    return conflicts
