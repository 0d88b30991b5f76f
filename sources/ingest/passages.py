"""Verbatim passages two texts share outside quotation marks, with their character spans.

Plain Python (no Django). Two reports of one event quote the same speaker: the quoted words
say nothing about who wrote the rest, so they are left out. What remains is tokenised into
normalised words (NFKC, case-folded), each with its character offsets; a quotation leaves one
marker token in its place, so a copied paragraph with a short quote inside still reads as one
passage, while the quoted words never count towards its length. Passages are found by
seed-and-extend: every run of `min_words` tokens of one text (a shingle, `fingerprint.ngrams`)
is looked up in an index of the other's, and a hit is extended along its diagonal to the
longest common run.

Quotation marks: “…”, „…“ / „…”, «…», and straight "…". A paragraph (a line break) closes an
open quotation: a multi-paragraph quote opens every paragraph again, and an unbalanced mark
must not hide the rest of a page. Single quotes ‘…’ are not used: ’ is also the apostrophe.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sources.ingest.fingerprint import ngrams

PASSAGE_MIN_WORDS = 12
# A run of words that recurs more often than this in one text is boilerplate, not a passage.
MAX_POSITIONS = 16
QUOTE = "\x00quote"

_TOKEN_RE = re.compile(r"\w+|[“”„«»\"\n]")
_CLOSERS = {"“": "”", "„": "“”", "«": "»", '"': '"'}


@dataclass(frozen=True, slots=True)
class Token:
    norm: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage both texts hold verbatim: its span in each, and how many words it has."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int

    def overlaps_a(self, start: int, end: int) -> bool:
        return start < self.a_end and self.a_start < end

    def overlaps_b(self, start: int, end: int) -> bool:
        return start < self.b_end and self.b_start < end


@lru_cache(maxsize=64)
def unquoted_tokens(text: str) -> tuple[Token, ...]:
    """Return the words of `text` outside quotation marks; each quotation leaves one QUOTE."""
    tokens: list[Token] = []
    closer = ""  # the marks that close the open quotation; "" when none is open
    quote_start = 0
    for match in _TOKEN_RE.finditer(text):
        value = match.group(0)
        if value == "\n":
            if closer:
                tokens.append(Token(QUOTE, quote_start, match.start()))
                closer = ""
            continue
        if closer:
            if value in closer:
                tokens.append(Token(QUOTE, quote_start, match.end()))
                closer = ""
            continue
        if value in _CLOSERS:
            closer, quote_start = _CLOSERS[value], match.start()
            continue
        if value in "”»":
            continue  # a stray closing mark
        norm = unicodedata.normalize("NFKC", value).casefold()
        tokens.append(Token(norm, match.start(), match.end()))
    if closer:
        tokens.append(Token(QUOTE, quote_start, len(text)))
    return tuple(tokens)


def _index(tokens: tuple[Token, ...], size: int) -> dict[tuple[str, ...], list[int]]:
    """Where each run of `size` tokens (a shingle) starts; boilerplate keeps a few more."""
    index: dict[tuple[str, ...], list[int]] = {}
    for i, gram in enumerate(ngrams([t.norm for t in tokens], size)):
        positions = index.setdefault(gram, [])
        if len(positions) <= MAX_POSITIONS:
            positions.append(i)
    return index


def shared_passages(a: str, b: str, *, min_words: int = PASSAGE_MIN_WORDS) -> list[Passage]:
    """Return the passages of at least `min_words` words, outside quotations, in both texts.

    Spans are character offsets into `a` and `b`; they start and end on a word (a quotation
    inside a passage is part of its span, but not of its word count). Ordered by position in b.
    """
    ta, tb = unquoted_tokens(a), unquoted_tokens(b)
    if len(ta) < min_words or len(tb) < min_words:
        return []
    index = _index(ta, min_words)
    na, nb = [t.norm for t in ta], [t.norm for t in tb]
    run_end: dict[int, int] = {}  # diagonal (j - i) → end of the run already found on it
    passages: list[Passage] = []
    for i, gram in enumerate(ngrams(nb, min_words)):
        hits = index.get(gram)
        if not hits or len(hits) > MAX_POSITIONS:
            continue
        for j in hits:
            if run_end.get(j - i, -1) > i:
                continue  # inside a run already found
            length = min_words
            while (
                i + length < len(nb) and j + length < len(na) and nb[i + length] == na[j + length]
            ):
                length += 1
            run_end[j - i] = i + length
            run_b, run_a = tb[i : i + length], ta[j : j + length]
            # Trim quotations off the ends: the passage is the unquoted words around them.
            lo, hi = 0, length
            while lo < hi and run_b[lo].norm == QUOTE:
                lo += 1
            while hi > lo and run_b[hi - 1].norm == QUOTE:
                hi -= 1
            words = sum(1 for t in run_b[lo:hi] if t.norm != QUOTE)
            if words < min_words:
                continue
            passages.append(
                Passage(
                    run_a[lo].start, run_a[hi - 1].end, run_b[lo].start, run_b[hi - 1].end, words
                )
            )
    return passages
