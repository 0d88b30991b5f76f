"""Fingerprints of texts: word shingles, bottom-k sketches, and how alike two texts are.

Plain Python (no Django): the pipeline sketches every article as it parses it, syndication
clustering (`syndication.py`) compares the sketches, and the independence rules
(claims/independence.py) compare two texts' shingles exactly.

- `ngrams(items, size)` — the runs of `size` consecutive items: the one definition of a
  shingle, used here on words, by `passages.py` on its tokens and by the candidate-evidence
  ranking (claims/candidates.py) on word sets (1-shingles).
- `sketch(text)` — a bottom-k sketch of the text's word 5-shingles: every shingle is hashed
  once (blake2b, 64 bits) and the k = 64 smallest hashes are kept, as 16-digit hex strings
  (strings so that PostgreSQL's jsonb operators and GIN index can look them up). This is
  what `Article.fingerprint` stores (`fingerprint_for`); page chrome is left out so that
  "blog comments powered by Disqus" does not make every page of one site alike.
- `jaccard(a, b)` and `containment(a, b)` — the exact figures on two texts' shingles;
  containment is |A ∩ B| / min(|A|, |B|): how much of the shorter text is in the longer one.
- `compare(a, b)` — estimated Jaccard similarity and containment of two texts from their
  sketches. Both sketches hold *every* shingle hash below their own k-th smallest value, so
  below the smaller of the two thresholds the union and the intersection are known exactly:
  that sample gives the estimates (exact when a text has fewer than k shingles).

Containment from sketches: a short text inside a long one leaves few of its shingles below
the long text's threshold, so the estimate rests on a small sample. Below
`CONFIDENT_SAMPLE` sampled shingles the sketch does not decide (`Similarity.conclusive`):
the texts themselves should, or, without them, only a near-total containment (≥ 0.8 on at
least `MIN_CONTAINMENT_SAMPLE` values) counts.

Hand-written rather than datasketch's MinHash: a bottom-k sketch of sorted hex strings is
what the jsonb GIN index looks up, and it is a dozen lines over hashlib.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sources.ingest.kinds import SegmentKind

SKETCH_SIZE = 64
SHINGLE_WORDS = 5
JACCARD_THRESHOLD = 0.5
# "One article contains most of the other." On the dev corpus (24 real pages, exact 5-shingle
# containment) copies of one text score 0.50-0.96 (a wire copy with a reworded lede 0.62, a
# same-owner re-edit 0.50) while different reports of the same event score at most 0.19
# (a paraphrase citing its source) and usually under 0.1: half sits well clear of both.
CONTAINMENT_THRESHOLD = 0.5
# A sketch estimate of containment is trusted from this many sampled shingles (its standard
# error is then under 0.09 at 0.5); below it the texts decide.
CONFIDENT_SAMPLE = 32
# Without the texts, a small sample counts only near-total containment.
STRICT_CONTAINMENT = 0.8
MIN_CONTAINMENT_SAMPLE = 4
# The shortest text containment may call a copy: 12 words (8 shingles), as for a passage.
MIN_CONTAINED_SHINGLES = 8

_WORD_RE = re.compile(r"\w+")


def ngrams[T](items: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    """Yield the runs of `size` consecutive items, in order; none when there are fewer."""
    return zip(*(items[i:] for i in range(size)), strict=False)


def set_jaccard(a: set | frozenset, b: set | frozenset) -> float:
    """Return |A ∩ B| / |A ∪ B| of two sets (0.0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Return the word `size`-shingles of a text (case-folded); a short text is one shingle."""
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(gram) for gram in ngrams(words, size)}


def jaccard(a: str, b: str) -> float:
    """Return the Jaccard similarity of two texts' word shingles (0.0–1.0)."""
    return set_jaccard(shingle_set(a), shingle_set(b))


def containment(a: str, b: str) -> float:
    """Return |A ∩ B| / min(|A|, |B|) of two texts' word shingles: the shorter one's share.

    A text of fewer than MIN_CONTAINED_SHINGLES shingles (a headline, a caption) is too short
    to be called a copy of anything: 0.0.
    """
    sa, sb = shingle_set(a), shingle_set(b)
    smaller = min(len(sa), len(sb))
    return len(sa & sb) / smaller if smaller >= MIN_CONTAINED_SHINGLES else 0.0


@lru_cache(maxsize=64)
def shingle_set(text: str) -> frozenset[str]:
    """Return `shingles(text)`, cached: one article is compared with many candidates."""
    return frozenset(shingles(text))


def _hash(shingle: str) -> str:
    return hashlib.blake2b(shingle.encode(), digest_size=8).hexdigest()


def sketch(text: str, *, k: int = SKETCH_SIZE) -> list[str]:
    """Return the bottom-k sketch of a text: its k smallest shingle hashes, sorted."""
    # Fixed-width hex strings sort like the numbers they encode.
    return sorted({_hash(s) for s in shingles(text)})[:k]


def sketch_of_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """Sketch the text made of these spans (an article's claims, without its chrome)."""
    return sketch("\n".join(text[start:end] for start, end in spans))


def fingerprint_for(text: str, segments: Iterable) -> list[str]:
    """The fingerprint stored at import: the sketch of the article without its chrome."""
    spans = [(s.start, s.end) for s in segments if s.kind != SegmentKind.CHROME]
    return sketch_of_spans(text, spans) if spans else sketch(text)


def sketch_limit(fingerprint: Sequence[str], *, k: int = SKETCH_SIZE) -> str:
    """The largest hash a full sketch holds; a sketch shorter than k holds every shingle ("g")."""
    return fingerprint[-1] if len(fingerprint) >= k else "g"


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    containment: float  # of the smaller text in the larger one
    sample: int  # shingles the estimates rest on
    exact: bool = False  # both texts sketched whole: the figures are exact

    @property
    def near_copy(self) -> bool:
        """Whether the sketches alone show a near-copy (similar, or one holding the other)."""
        if self.jaccard >= JACCARD_THRESHOLD:
            return True
        if self.sample >= CONFIDENT_SAMPLE or self.exact:
            return (
                self.sample >= MIN_CONTAINED_SHINGLES and self.containment >= CONTAINMENT_THRESHOLD
            )
        return self.sample >= MIN_CONTAINMENT_SAMPLE and self.containment >= STRICT_CONTAINMENT

    @property
    def conclusive(self) -> bool:
        """Whether the sketches decide; if not, the texts should (see `syndication.clusters`)."""
        return self.near_copy or self.exact or self.sample >= CONFIDENT_SAMPLE


def compare(a: Sequence[str], b: Sequence[str], *, k: int = SKETCH_SIZE) -> Similarity:
    """Estimate Jaccard similarity and containment of two texts from their sketches."""
    if not a or not b:
        return Similarity(0.0, 0.0, 0)
    limit_a, limit_b = sketch_limit(a, k=k), sketch_limit(b, k=k)
    limit = min(limit_a, limit_b)
    sa = {v for v in a if v <= limit}
    sb = {v for v in b if v <= limit}
    union = sa | sb
    common = len(sa & sb)
    jaccard = common / len(union) if union else 0.0
    # Containment of the text with fewer shingles (the larger threshold) in the other.
    # Both sketched whole (one limit): the one with fewer shingles is the smaller text.
    larger_limit = sa if limit_a > limit_b else sb
    small = min(sa, sb, key=len) if limit_a == limit_b else larger_limit
    containment = common / len(small) if small else 0.0
    return Similarity(jaccard, containment, len(small), exact=len(a) < k and len(b) < k)
