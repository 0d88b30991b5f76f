"""Claim families in plain text: a statement's normal form, its signature, how alike two are.

Plain Python (no Django); `families/` stores what this finds.

Normal form (`normalise`): NFKC; the wire dateline before and the agency credit after the
statement taken off (`provenance.without_credits`, the patterns that find an article's
credit); curly quotes to straight ones, every dash to "-"; hard line wraps and runs of
spaces to one space; case-folded; closing punctuation dropped. Claims with one normal form
are copies ("exact"): a caption repeated on one page, a wire sentence reprinted by ten sites.

How alike two statements are (`match`), in two measures on words:
- near-exact: Jaccard similarity of the word 2-shingles (`fingerprint.ngrams`) ≥ NEAR_EXACT
  — word order kept, so a typo, "said" for "says" or a dropped word still match;
- paraphrase: Jaccard similarity of the content-word sets ≥ PARAPHRASE, ignoring word order
  (stopwords out; each word cut to its first STEM letters, truncation stemming, so "exports"
  and "exported" are one word) — a ministry statement quoted in slightly different words;
- never when both state the same kind of quantity with different values
  (`numbers.numeric_conflicts`): $250M against $300M for one deal is a conflict, not a copy;
  nor when each names a number, day or month the other lacks ("on Monday" / "on Tuesday":
  one word apart, two facts), nor when one is negated and the other not. One leaving a
  detail out still matches.

Why not the word 5-shingle sketch that groups whole articles (`fingerprint.py`): a claim is one
sentence of twenty-odd words, and its 5-shingles break at every edited word — a paraphrase
shares almost none. Why not an embedding model: nothing may be downloaded at run time, and a
model would have to ship in a package and beat these measures on `bench/families.py`.

Candidates (`signature`): MinHash of the content-word set, BANDS bands of ROWS values each,
every band hashed to one signed 64-bit integer (a database column with an index). Two
statements are compared when they share the exact key or at least MIN_SHARED_BANDS bands
(`bucket_pairs`, the one place that lists them): with p = J^ROWS the chance that one band
agrees at Jaccard J, that finds 96 % of the pairs at J = 0.7 (the paraphrase threshold)
and 99.6 % at 0.8, while two unrelated statements that share one common word ("million")
are compared some 100 times less often than with one band — at 50,000 bench claims,
16,700 candidate pairs instead of 1,261,000, one confirmed pair of 4,668 lost
(bench/families.py measures both). A statement of fewer than MIN_CONTENT_WORDS content
words ("China bans exports") has only its exact key: short texts that share a few words
are not the same statement.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from sources.ingest.fingerprint import ngrams, set_jaccard
from sources.ingest.numbers import NumericConflict, numeric_conflicts
from sources.ingest.provenance import without_credits
from sources.ingest.syndication import UnionFind
from sources.ingest.wordlists import word_set

# Tuned on families/data/pairs.csv and the corpus copies (bench/families.py).
NEAR_EXACT = 0.7
PARAPHRASE = 0.7
STEM = 6
MIN_CONTENT_WORDS = 4
BANDS = 8
ROWS = 2
# Bands two statements must share (besides the exact key) to be compared.
MIN_SHARED_BANDS = 2
# A band value shared by more claims than this is boilerplate; its bucket is not paired.
MAX_BUCKET = 200
# Two statements are about the same thing when their words other than figures are this alike
# (content-word Jaccard): "Orion paid $250M for Kestrel" vs "Orion paid $300M for Kestrel".
CONFLICT_SIMILARITY = 0.5
_DIGIT_RE = re.compile(r"\d")

EXACT, NEAR_EXACT_HOW, PARAPHRASE_HOW = "exact", "near_exact", "paraphrase"

STOPWORDS = word_set(
    """a an the and or but of to in on at by for with from as into than that this these
    those it its is are was were be been being has have had will would shall should can
    could may might must do does did not no nor so such which who whom whose what when
    where while also there their they them he she his her we our you your i said says say
    according told more most very just over about after before"""
)

_QUOTES = str.maketrans({c: None for c in '"“”„‟«»「」″'} | {c: "'" for c in "‘’‚‛′`´"})
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]|--+")
_SPACES_RE = re.compile(r"\s+")
_CLOSING_RE = re.compile(r"[\s.!?;:,]+$")
_WORD_RE = re.compile(r"[^\W_]+(?:['.-][^\W_]+)*")
# Numbers (in figures or words), days and months: two statements that each name one the
# other lacks differ in fact.
_KEY_RE = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|"
    r"february|march|april|may|june|july|august|september|october|november|december|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|million|"
    r"billion|half|third|quarter|first|second|last)\b"
)
_NEGATIONS = word_set("not no never none nobody nothing neither without cannot")
_P = (1 << 61) - 1
_COEFFICIENTS = [
    (
        int.from_bytes(hashlib.blake2b(b"a%d" % i, digest_size=8).digest()) % _P or 1,
        int.from_bytes(hashlib.blake2b(b"b%d" % i, digest_size=8).digest()) % _P,
    )
    for i in range(BANDS * ROWS)
]


def normalise(text: str) -> str:
    """Return the normal form of a statement: credits off, quotes, dashes, spaces unified."""
    text = unicodedata.normalize("NFKC", text)
    text = without_credits(_SPACES_RE.sub(" ", text).strip())
    text = _DASHES_RE.sub("-", text.translate(_QUOTES))
    return _CLOSING_RE.sub("", _SPACES_RE.sub(" ", text)).casefold().strip()


def exact_key(text: str) -> str:
    """Return the 16-hex-digit hash of a statement's normal form."""
    return hashlib.blake2b(normalise(text).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Features:
    norm: str
    pairs: frozenset[tuple[str, str]]  # word 2-shingles, in order
    content: frozenset[str]  # stemmed content words
    keys: frozenset[str]  # numbers, days, months
    negated: bool


@lru_cache(maxsize=65536)
def features(text: str) -> Features:
    """Return what `match` compares of a statement (cached: one is compared with many)."""
    norm = normalise(text)
    words = _WORD_RE.findall(norm)
    content = frozenset(w[:STEM] for w in words if w not in STOPWORDS)
    negated = any(w in _NEGATIONS or w.endswith("n't") for w in words)
    keys = frozenset(k.replace(",", "") for k in _KEY_RE.findall(norm))
    pairs = frozenset(ngrams(words, 2)) or frozenset({(norm, "")})
    return Features(norm, pairs, content, keys, negated)


@dataclass(frozen=True, slots=True)
class Signature:
    exact: str
    bands: tuple[int, ...]  # empty for a statement too short to compare by its words


def _minhash(words: Iterable[str]) -> list[int]:
    hashes = [int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest()) for w in words]
    return [min((a * h + b) % _P for h in hashes) for a, b in _COEFFICIENTS]


def signature(text: str) -> Signature:
    """Return the exact key and the MinHash band values of a statement."""
    found = features(text)
    exact = hashlib.blake2b(found.norm.encode(), digest_size=8).hexdigest()
    if len(found.content) < MIN_CONTENT_WORDS:
        return Signature(exact, ())
    mins = _minhash(sorted(found.content))
    bands = []
    for band in range(BANDS):
        row = mins[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr((band, row)).encode(), digest_size=8).digest()
        bands.append(int.from_bytes(digest, signed=True))
    return Signature(exact, tuple(bands))


@dataclass(frozen=True, slots=True)
class Match:
    how: str  # EXACT, NEAR_EXACT_HOW or PARAPHRASE_HOW
    similarity: float


def match(a: str, b: str, *, same_article: bool = False) -> Match | None:
    """Return how two statements are the same one, or None.

    Within one article only copies count (a repeated caption): two sentences of one story
    that share their words are two statements of it.
    """
    fa, fb = features(a), features(b)
    if fa.norm == fb.norm:
        return Match(EXACT, 1.0)
    if fa.negated != fb.negated or (fa.keys - fb.keys and fb.keys - fa.keys):
        return None
    if numeric_conflicts(a, b):
        return None
    near = set_jaccard(fa.pairs, fb.pairs)
    if near >= NEAR_EXACT:
        return Match(NEAR_EXACT_HOW, round(near, 3))
    if same_article or min(len(fa.content), len(fb.content)) < MIN_CONTENT_WORDS:
        return None
    loose = set_jaccard(fa.content, fb.content)
    if loose >= PARAPHRASE:
        return Match(PARAPHRASE_HOW, round(loose, 3))
    return None


def conflicting_figures(a: str, b: str) -> list[NumericConflict]:
    """Return the figures two statements about the same thing give differently, else [].

    `match` never joins such statements into a family; these are the neighbours (a shared
    signature band) whose words agree and whose numbers do not: $250M vs $300M for one deal.
    Cheap tests first: both need a digit, then alike words (cached features).
    """
    if not (_DIGIT_RE.search(a) and _DIGIT_RE.search(b)):
        return []
    wa, wb = _words_without_figures(a), _words_without_figures(b)
    if min(len(wa), len(wb)) < MIN_CONTENT_WORDS or set_jaccard(wa, wb) < CONFLICT_SIMILARITY:
        return []
    return numeric_conflicts(a, b)


@lru_cache(maxsize=65536)
def _words_without_figures(text: str) -> frozenset[str]:
    return frozenset(w for w in features(text).content if not any(ch.isdigit() for ch in w))


def bucket_pairs(
    buckets: Iterable[tuple[int, Sequence[tuple[int, Sequence[int]]]]],
    of: Collection[int] | None = None,
) -> set[tuple[int, int]]:
    """Candidate pairs (smaller id first) of the members, as (id, band values), of each
    bucket (the band it is of, its members): those sharing MIN_SHARED_BANDS band values;
    with `of`, only the pairs holding one of these members. Boilerplate buckets are skipped;
    a pair found in several buckets is one pair, and one whose bucket was skipped is found
    in the buckets of its other shared bands.

    Members of one bucket share its band: with MIN_SHARED_BANDS = 2 a pair needs one more,
    so the bucket is split by each other band's value and only the pairs of those
    sub-buckets are listed — never every pair of the bucket compared (at a million claims,
    ~15 million comparisons for a thousand claims' buckets).
    """
    assert MIN_SHARED_BANDS == 2, "the split by one more band is the rule for two bands"
    pairs: set[tuple[int, int]] = set()
    for own, members in buckets:
        if len(members) < 2 or len(members) > MAX_BUCKET:
            continue
        # With `of`, only the band values one of those members has can make its pairs.
        wanted = None if of is None else {k for pk, b in members if pk in of for k in enumerate(b)}
        split: dict[tuple[int, object], list[int]] = defaultdict(list)
        for pk, bands in members:
            for key in enumerate(bands):
                if key[0] != own and (wanted is None or key in wanted):
                    split[key].append(pk)
        for ids in split.values():
            if len(ids) < 2:
                continue
            if of is None:
                ids.sort()
                pairs.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1 :])
                continue
            for x in ids:
                if x in of:
                    pairs.update((x, y) if x < y else (y, x) for y in ids if y != x)
    return pairs


def _buckets(signatures: Mapping[int, Signature], of: Collection[int] | None = None):
    """(the exact buckets' chains, {(band, value): [(id, band values)]}) of the statements;
    with `of`, only the buckets these statements are in."""
    exact: dict[str, list[int]] = defaultdict(list)
    bands: dict[tuple[int, int], list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    if of is not None:
        mine = [signatures[pk] for pk in of if pk in signatures]
        exact.update({sig.exact: [] for sig in mine})
        bands.update({key: [] for sig in mine for key in enumerate(sig.bands)})
    for pk, sig in signatures.items():
        if of is None or sig.exact in exact:
            exact[sig.exact].append(pk)
        for key in enumerate(sig.bands):
            if of is None or key in bands:
                bands[key].append((pk, sig.bands))
    # A whole bucket of one normal form is one family however large: link it as a chain.
    chained = {(min(a, b), max(a, b)) for ids in exact.values() for a, b in pairwise(ids)}
    return chained, bands


def candidate_pairs(signatures: Mapping[int, Signature]) -> set[tuple[int, int]]:
    """Pairs of statements sharing the exact key or enough band values (in memory)."""
    chained, bands = _buckets(signatures)
    return chained | bucket_pairs((band, members) for (band, _), members in bands.items())


def candidate_pairs_with(
    signatures: Mapping[int, Signature],
    new: Collection[int],
    not_compared: Collection[tuple[int, int]] = frozenset(),
) -> set[tuple[int, int]]:
    """The pairs of `candidate_pairs(signatures)` that hold one of the `new` statements.

    Only the new statements' buckets are walked, and only pairs with a new statement listed:
    an import compares its few thousand statements with the stored ones sharing its bands,
    never the stored ones with each other (all pairs of those buckets then filtered cost ~15
    million comparisons for 1,000 new statements at a million stored). `not_compared`: the
    (band, value) buckets known from a count over all statements to hold over MAX_BUCKET of
    them (their members not all given) or just one — skipped, as such a bucket is.
    """
    new = set(new)
    chained, bands = _buckets(signatures, of=new)
    pairs = {p for p in chained if p[0] in new or p[1] in new}
    compared = ((key[0], m) for key, m in bands.items() if key not in not_compared)
    return pairs | bucket_pairs(compared, of=new)


@dataclass(frozen=True, slots=True)
class Statement:
    id: int
    text: str
    article: int


def verified(
    statements: Mapping[int, Statement],
    pairs: Iterable[tuple[int, int]],
    *,
    joined: UnionFind | None = None,
) -> dict[tuple[int, int], Match]:
    """Return the candidate pairs that `match` confirms, with how.

    With `joined`, a pair already in one group there is not compared again (a copy reprinted
    forty times shares a band with every other copy: 780 pairs, 39 of them needed), and
    every confirmed pair is joined in it.
    """
    found = {}
    for a, b in pairs:
        if joined is not None and joined.find(a) == joined.find(b):
            continue
        sa, sb = statements[a], statements[b]
        m = match(sa.text, sb.text, same_article=sa.article == sb.article)
        if m is not None:
            found[(a, b)] = m
            if joined is not None:
                joined.union(a, b)
    return found


_ORDER = {EXACT: 2, NEAR_EXACT_HOW: 1, PARAPHRASE_HOW: 0}


def _strength(m: Match) -> tuple[int, float]:
    return (_ORDER.get(m.how, 0), m.similarity)


def groups(edges: Mapping[tuple[int, int], Match]) -> list[dict[int, Match]]:
    """Join confirmed pairs into families; each member with its best match to another member."""
    uf = UnionFind()
    best: dict[int, Match] = {}
    for (a, b), m in edges.items():
        uf.union(a, b)
        for x in (a, b):
            if x not in best or _strength(m) > _strength(best[x]):
                best[x] = m
    members: dict[int, dict[int, Match]] = defaultdict(dict)
    for x in uf.parent:
        members[uf.find(x)][x] = best[x]
    return sorted(members.values(), key=min)


def family_groups(statements: Sequence[Statement]) -> list[dict[int, Match]]:
    """Group statements into families in memory (tests, benches, one import's claims)."""
    by_id = {s.id: s for s in statements}
    pairs = candidate_pairs({s.id: signature(s.text) for s in statements})
    return groups(verified(by_id, sorted(pairs), joined=UnionFind()))
