"""Syndication clusters: articles that are near-copies of each other count as one source.

The core is plain Python:

- `sketch(text)` — a bottom-k sketch of the text's word 5-shingles: every shingle is hashed
  once (blake2b, 64 bits) and the k = 64 smallest hashes are kept, as 16-digit hex strings
  (strings so that PostgreSQL's jsonb operators and GIN index can look them up). This is
  what `Article.fingerprint` stores; page chrome is left out so that "blog comments powered
  by Disqus" does not make every page of one site alike.
- `compare(a, b)` — estimated Jaccard similarity and containment of two texts from their
  sketches. Both sketches hold *every* shingle hash below their own k-th smallest value, so
  below the smaller of the two thresholds the union and the intersection are known exactly:
  that sample gives the estimates (exact when a text has fewer than k shingles).
- `clusters(items)` — candidate pairs from an inverted index on sketch values (pairs sharing
  at least `MIN_SHARED` values; values shared by more than `MAX_POSTING` articles are
  boilerplate and skipped), verified by Jaccard ≥ 0.5 or containment ≥ 0.8 (a short reprint
  inside a longer page), joined by union-find. The earliest article of a cluster (dated
  before undated, then published_at, then id) is its origin.

Limits: containment is only seen when the shorter text is not much shorter than the longer
one (a one-paragraph quote of a long page leaves too few shared sketch values to tell).

The service part stores the result: `cluster_all()` recomputes every cluster (the
`cluster_articles` command), `cluster_new(articles)` places freshly imported articles
(called by the import right after it stores them).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

SKETCH_SIZE = 64
SHINGLE_WORDS = 5
MIN_SHARED = 2
MAX_POSTING = 200
JACCARD_THRESHOLD = 0.5
CONTAINMENT_THRESHOLD = 0.8
# Below this many sampled shingles a containment estimate says too little.
MIN_CONTAINMENT_SAMPLE = 4

_WORD_RE = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Return the word `size`-shingles of a text (case-folded); a short text is one shingle."""
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _hash(shingle: str) -> str:
    return hashlib.blake2b(shingle.encode(), digest_size=8).hexdigest()


def sketch(text: str, *, k: int = SKETCH_SIZE) -> list[str]:
    """Return the bottom-k sketch of a text: its k smallest shingle hashes, sorted."""
    # Fixed-width hex strings sort like the numbers they encode.
    return sorted({_hash(s) for s in shingles(text)})[:k]


def sketch_of_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """Sketch the text made of these spans (an article's claims, without its chrome)."""
    return sketch("\n".join(text[start:end] for start, end in spans))


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float
    containment: float  # of the smaller text in the larger one
    sample: int  # shingles the estimates rest on

    @property
    def near_copy(self) -> bool:
        if self.jaccard >= JACCARD_THRESHOLD:
            return True
        return self.sample >= MIN_CONTAINMENT_SAMPLE and self.containment >= CONTAINMENT_THRESHOLD


def compare(a: Sequence[str], b: Sequence[str], *, k: int = SKETCH_SIZE) -> Similarity:
    """Estimate Jaccard similarity and containment of two texts from their sketches."""
    if not a or not b:
        return Similarity(0.0, 0.0, 0)
    # A sketch shorter than k holds every shingle of its text: no threshold applies.
    limit_a = a[-1] if len(a) >= k else "g"
    limit_b = b[-1] if len(b) >= k else "g"
    limit = min(limit_a, limit_b)
    sa = {v for v in a if v <= limit}
    sb = {v for v in b if v <= limit}
    union = sa | sb
    common = len(sa & sb)
    jaccard = common / len(union) if union else 0.0
    # Containment of the text with fewer shingles (the larger threshold) in the other.
    small = sa if limit_a >= limit_b else sb
    containment = common / len(small) if small else 0.0
    return Similarity(jaccard, containment, len(small))


@dataclass(slots=True)
class Item:
    """What clustering needs of an article."""

    id: int
    fingerprint: Sequence[str]
    published_at: datetime | None = None


def origin_key(item: Item) -> tuple:
    """Sort key of "earliest": dated before undated, then by date, then by id."""
    if item.published_at is None:
        return (1, 0.0, item.id)
    return (0, item.published_at.timestamp(), item.id)


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def candidate_pairs(items: Sequence[Item]) -> set[tuple[int, int]]:
    """Pairs of articles (ids, smaller first) sharing at least MIN_SHARED sketch values."""
    postings: dict[str, list[int]] = defaultdict(list)
    for item in items:
        for value in item.fingerprint:
            postings[value].append(item.id)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for ids in postings.values():
        if len(ids) < 2 or len(ids) > MAX_POSTING:
            continue
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                shared[(a, b)] += 1
    small = {item.id for item in items if len(item.fingerprint) < MIN_SHARED * 2}
    return {
        pair
        for pair, n in shared.items()
        if n >= MIN_SHARED or (n >= 1 and (pair[0] in small or pair[1] in small))
    }


def clusters(items: Sequence[Item]) -> dict[int, int]:
    """Return {article id: origin id} for every article that has at least one near-copy."""
    by_id = {item.id: item for item in items}
    uf = UnionFind()
    for a, b in candidate_pairs(items):
        if compare(by_id[a].fingerprint, by_id[b].fingerprint).near_copy:
            uf.union(a, b)
    members: dict[int, list[int]] = defaultdict(list)
    for x in uf.parent:
        members[uf.find(x)].append(x)
    result: dict[int, int] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        origin = min(group, key=lambda i: origin_key(by_id[i]))
        for member in group:
            result[member] = origin
    return result


# -- Storing clusters (Django) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterStats:
    clusters: int
    articles: int
    changed: int


def fingerprint_for(text: str, segments: Iterable) -> list[str]:
    """The fingerprint stored at import: the sketch of the article without its chrome."""
    from sources.ingest.kinds import SegmentKind

    spans = [(s.start, s.end) for s in segments if s.kind != SegmentKind.CHROME]
    return sketch_of_spans(text, spans) if spans else sketch(text)


def _save_origins(changes: dict[int, int | None], *, reason: str) -> int:
    """Write cluster_origin for these articles, with history; return how many changed."""
    from simple_history.utils import bulk_update_with_history

    from sources.models import Article

    if not changes:
        return 0
    # History copies every tracked field: load them all, but not the texts it leaves out.
    articles = list(
        Article.objects.filter(pk__in=changes).defer(
            "text", "received_text", "repairs", "original_html", "fingerprint"
        )
    )
    for article in articles:
        article.cluster_origin_id = changes[article.pk]
        article._change_reason = reason
    bulk_update_with_history(
        articles,
        Article,
        ["cluster_origin"],
        batch_size=1000,
        default_change_reason=reason,
    )
    return len(articles)


def _fill_missing_fingerprints() -> None:
    """Sketch the articles stored without a fingerprint (imported before clustering existed)."""
    from claims.models import Claim, ClaimKind
    from sources.models import Article

    missing = list(Article.objects.filter(fingerprint=[]).only("id", "text"))
    if not missing:
        return
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Claim.objects.filter(article__in=missing)
        .exclude(kind=ClaimKind.CHROME)
        .values_list("article_id", "start", "end")
    )
    for article_id, start, end in rows:
        spans[article_id].append((start, end))
    for article in missing:
        found = sorted(spans.get(article.pk, []))
        article.fingerprint = (
            sketch_of_spans(article.text, found) if found else sketch(article.text)
        )
    # The fingerprint is not in the history (excluded field): a plain bulk update is right.
    Article.objects.bulk_update(missing, ["fingerprint"], batch_size=1000)


def cluster_all() -> ClusterStats:
    """Recompute every syndication cluster from the stored fingerprints; return counts."""
    from django.db import transaction

    from sources.models import Article

    with transaction.atomic():
        _fill_missing_fingerprints()
        rows = Article.objects.values_list("id", "fingerprint", "published_at", "cluster_origin_id")
        items, current = [], {}
        for pk, fingerprint, published_at, origin in rows.iterator(chunk_size=2000):
            items.append(Item(pk, fingerprint or [], published_at))
            current[pk] = origin
        result = clusters(items)
        changes = {pk: result.get(pk) for pk, origin in current.items() if result.get(pk) != origin}
        changed = _save_origins(changes, reason="Syndication clusters recomputed")
    return ClusterStats(len(set(result.values())), len(result), changed)


def _stored_candidates(fingerprints: list[list[str]], exclude: set[int]) -> list[Item]:
    """Stored articles that may be near-copies of these fingerprints (see search.py)."""
    from workbench.search import fingerprint_candidates

    rows = fingerprint_candidates(fingerprints, exclude=exclude)
    return [Item(pk, fp or [], published_at) for pk, fp, published_at in rows]


def cluster_new(articles: Sequence) -> int:
    """Place freshly stored articles in syndication clusters; return how many were clustered.

    Looks up stored articles sharing sketch values with the new ones (a GIN index lookup on
    PostgreSQL), clusters the new ones together with those candidates and their clusters,
    and writes the origins that changed. Recomputing everything stays `cluster_all()`.
    """
    from sources.models import Article

    new = [a for a in articles if a.pk is not None and a.fingerprint]
    if not new:
        return 0
    new_ids = {a.pk for a in new}
    stored = _stored_candidates([a.fingerprint for a in new], exclude=new_ids)
    items = [Item(a.pk, a.fingerprint, a.published_at) for a in new] + stored
    result = clusters(items)
    if not result:
        return 0
    # Whole clusters the candidates already belong to are merged into the new ones.
    touched = set(result)
    existing = dict(
        Article.objects.filter(pk__in=touched, cluster_origin__isnull=False).values_list(
            "id", "cluster_origin_id"
        )
    )
    old_origins = set(existing.values())
    members = Article.objects.filter(cluster_origin_id__in=old_origins).values_list(
        "id", "published_at", "cluster_origin_id"
    )
    uf = UnionFind()
    dates = {item.id: item.published_at for item in items}
    for pk, origin in result.items():
        uf.union(pk, origin)
    for pk, published_at, origin in members:
        dates.setdefault(pk, published_at)
        uf.union(pk, origin)
        existing[pk] = origin
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in uf.parent:
        groups[uf.find(pk)].append(pk)
    changes: dict[int, int | None] = {}
    for group in groups.values():
        origin = min(group, key=lambda i: origin_key(Item(i, (), dates.get(i))))
        for pk in group:
            if existing.get(pk) != origin:
                changes[pk] = origin
    _save_origins(changes, reason="Syndication cluster at import")
    for article in new:
        if article.pk in changes:
            article.cluster_origin_id = changes[article.pk]
    return len(new_ids & set(changes))
