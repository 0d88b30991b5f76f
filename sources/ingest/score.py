"""Rank sentences by how worth checking they are, 0–100, with features a reviewer can read.

Check-worthiness here is a triage aid, not a verdict: concrete, specific, attributed
assertions (numbers, dates, named organisations, superlatives) float up; questions,
hedged or opinion sentences, fragments and page chrome sink. Every point comes from a
named feature in `WEIGHTS`, and `explain` shows which ones fired, so the ranking can be
argued with.
"""

from __future__ import annotations

import re

from sources.ingest.kinds import SegmentKind
from sources.ingest.wordlists import word_set

# Feature -> points. Features fire at most once, except `proper_noun` (per distinct
# capitalised name inside the sentence, up to `proper_noun_cap`).
WEIGHTS: dict[str, int] = {
    "base": 40,
    "number": 10,
    "percent": 8,
    "money": 10,
    "quantity": 6,
    "date": 6,
    "year": 6,
    "proper_noun": 3,
    "proper_noun_cap": 12,
    "organisation": 6,
    "attribution": 8,
    "superlative": 8,
    "question": -25,
    "hedge": -10,
    "opinion": -8,
    "short": -20,
    "fragment": -10,
    "kind_headline": -5,
    "kind_caption": -10,
    "kind_subheading": -20,
    "kind_disclaimer": -25,
    "kind_quote": 0,
}

# Keyword features are looked up in the set of lowercased words (one tokenising pass)
# rather than with case-insensitive alternations, which are slow in `re`.
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_NUMBER_WORDS = word_set(
    """one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions trillion dozen dozens
    half double triple twice"""
)
_MONEY_WORDS = word_set(
    "usd eur rmb cny krw jpy gbp dollar dollars euro euros yuan renminbi won yen"
)
_QUANTITY_RE = re.compile(
    r"\d[\d,.]*\s*(?:tons?|tonnes?|t|kg|kilograms?|km|kilometers?|kilometres?|miles?|MW|GW"
    r"|kWh|GWh|barrels?|units?|square meters|sq m|hectares?|acres?|people|workers|jobs|times)\b"
)
_DATE_RE = re.compile(
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|March|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Monday|Tuesday|Wednesday"
    r"|Thursday|Friday|Saturday|Sunday)\b"
)
_DATE_PHRASES = (
    "yesterday", "today", "last week", "last month", "last year", "this week", "this month",
    "this year", "next week", "next month", "next year",
)  # fmt: skip
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}s?\b")
_DIGIT_RE = re.compile(r"\d")
_PROPER_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*)*")
_ORG_RE = re.compile(
    r"\b(?:Group|Co|Corp|Inc|Ltd|Company|Corporation|Ministry|Institute|Academy|University"
    r"|Government|government|Agency|Commission|Council|Bureau|Association|Bank|Center|Centre"
    r"|Administration|Department|Committee|Exchange|Party|Parliament|Congress)\b\.?"
)
_SUPERLATIVE_WORDS = word_set(
    """largest biggest first highest lowest greatest strongest fastest smallest cheapest most least
    only record world-class world's world’s leading top dominant unprecedented best worst
    largest-ever all-time"""
)
_SUPERLATIVE_PHRASES = ("more than", "less than", "fewer than", "at least")
_HEDGE_WORDS = word_set(
    """may might could would should possibly perhaps likely unlikely probably hope hoped hopes
    potential potentially suggest suggests elusive"""
)
_HEDGE_PHRASES = (
    "expected to", "aims to", "aim to", "plan to", "plans to", "seek to", "seeks to",
    "appears to", "appear to", "seems to", "seem to",
)  # fmt: skip
_OPINION_WORDS = word_set(
    "opinion must clearly obviously undoubtedly ill-intentioned genuinely reminder"
)
_OPINION_PHRASES = (
    "we hope", "i think", "we think", "i believe", "we believe", "in my view", "in our view",
    "need to", "needs to", "ought to",
)  # fmt: skip
_KIND_FEATURE = {
    SegmentKind.HEADLINE: "kind_headline",
    SegmentKind.CAPTION: "kind_caption",
    SegmentKind.SUBHEADING: "kind_subheading",
    SegmentKind.DISCLAIMER: "kind_disclaimer",
    SegmentKind.QUOTE: "kind_quote",
}


def explain(sentence: str, kind: str, speaker: str) -> dict[str, int]:
    """Return the features that fired for a sentence and the points each contributed.

    Chrome is never triaged, so it explains as {} and scores 0.
    """
    if kind == SegmentKind.CHROME or not sentence.strip():
        return {}
    w = WEIGHTS
    fired: dict[str, int] = {"base": w["base"]}
    lower = sentence.lower()
    words = set(_TOKEN_RE.findall(lower))
    checks = {
        "number": _DIGIT_RE.search(sentence) or words & _NUMBER_WORDS,
        "percent": "%" in sentence or "percent" in words or "per cent" in lower,
        "money": any(c in sentence for c in "$€£¥₩") or words & _MONEY_WORDS,
        "quantity": _QUANTITY_RE.search(sentence),
        "date": _DATE_RE.search(sentence) or any(p in lower for p in _DATE_PHRASES),
        "year": _YEAR_RE.search(sentence),
        "organisation": _ORG_RE.search(sentence),
        "attribution": speaker.strip(),
        "superlative": words & _SUPERLATIVE_WORDS or any(p in lower for p in _SUPERLATIVE_PHRASES),
        "question": sentence.rstrip(" \"'”’)").endswith("?"),
        "hedge": words & _HEDGE_WORDS or any(p in lower for p in _HEDGE_PHRASES),
        "opinion": words & _OPINION_WORDS or any(p in lower for p in _OPINION_PHRASES),
    }
    for name, hit in checks.items():
        if hit:
            fired[name] = w[name]
    names = {m.group(0) for m in _PROPER_RE.finditer(sentence)}
    if names:
        fired["proper_noun"] = min(w["proper_noun"] * len(names), w["proper_noun_cap"])
    count = len(sentence.split())
    if count < 6:
        fired["short"] = w["short"]
    elif count < 10:
        fired["fragment"] = w["fragment"]
    feature = _KIND_FEATURE.get(kind)
    if feature and w[feature]:
        fired[feature] = w[feature]
    return fired


def checkworthiness(sentence: str, kind: str, speaker: str) -> int:
    """Score how worth checking a sentence is, 0–100 (chrome is always 0)."""
    fired = explain(sentence, kind, speaker)
    if not fired:
        return 0
    return max(0, min(100, sum(fired.values())))
