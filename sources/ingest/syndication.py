"""Syndication clusters from fingerprints: articles that are near-copies count as one source.

Plain Python (no Django); storing the clusters is `sources/clustering.py`.

`clusters(items, load_texts=...)` finds candidate pairs from an inverted index on sketch
values (pairs sharing at least `MIN_SHARED` values, or one value when a text is short enough
to be sketched whole; values shared by more than `MAX_POSTING` articles are boilerplate and
skipped), verifies them by Jaccard ≥ 0.5 or containment ≥ 0.5 (one article holds most of
the other: a short reprint inside a longer page; `fingerprint.compare`, and the texts
themselves where the sketches do not decide), and joins them by union-find. The earliest
article of a cluster (dated before undated, then published_at, then id) is its origin.

`UnionFind` is hand-written (twenty lines): networkx's or scipy's would bring a large
dependency for it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sources.ingest.fingerprint import (
    CONTAINMENT_THRESHOLD,
    JACCARD_THRESHOLD,
    SKETCH_SIZE,
    compare,
    containment,
    shingle_set,
    sketch_limit,
)

MIN_SHARED = 2
MAX_POSTING = 200


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
    """Pairs of articles (ids, smaller first) that may be near-copies, from shared values.

    A pair qualifies with MIN_SHARED shared sketch values, or with one when that one may be
    all a copy leaves: the shorter text has fewer than MIN_SHARED * 2 values below the
    longer one's threshold (a short copy inside a long page), so the texts must decide.
    """
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
    by_id = {item.id: item.fingerprint for item in items}
    return {
        pair
        for pair, n in shared.items()
        if n >= MIN_SHARED or _sample(by_id[pair[0]], by_id[pair[1]]) < MIN_SHARED * 2
    }


def _sample(a: Sequence[str], b: Sequence[str], *, k: int = SKETCH_SIZE) -> int:
    """How many of the shorter text's sketch values lie below the common threshold."""
    limit = min(sketch_limit(a, k=k), sketch_limit(b, k=k))
    return min(bisect_right(a, limit), bisect_right(b, limit))


TextLoader = Callable[[set[int]], Mapping[int, str]]


def _sketch_container(a: Sequence[str], b: Sequence[str], *, k: int = SKETCH_SIZE) -> int:
    """0 if the first text has more shingles (its sketch threshold is lower), else 1."""
    limit_a, limit_b = sketch_limit(a, k=k), sketch_limit(b, k=k)
    if limit_a == limit_b:
        return 0 if len(a) >= len(b) else 1
    return 0 if limit_a < limit_b else 1


def clusters(items: Sequence[Item], *, load_texts: TextLoader | None = None) -> dict[int, int]:
    """Return {article id: origin id} for every article that has at least one near-copy.

    `load_texts(ids)` returns the texts of articles (without chrome); it is called once, for
    the pairs whose sketches do not decide, which are then judged by exact containment.

    Containment does not chain through a digest: a page that holds most of two articles
    that are not copies of each other (a round-up of several stories) joins neither, so two
    unrelated stories never become one source through it.
    """
    by_id = {item.id: item for item in items}
    similar: set[tuple[int, int]] = set()  # near-identical pairs (Jaccard), smaller id first
    contained: dict[int, list[int]] = defaultdict(list)  # container → articles it holds
    undecided: list[tuple[int, int]] = []
    for a, b in sorted(candidate_pairs(items)):
        fa, fb = by_id[a].fingerprint, by_id[b].fingerprint
        similarity = compare(fa, fb)
        if similarity.jaccard >= JACCARD_THRESHOLD:
            similar.add((a, b))
        elif similarity.near_copy:
            big, small = (a, b) if _sketch_container(fa, fb) == 0 else (b, a)
            contained[big].append(small)
        elif not similarity.conclusive:
            undecided.append((a, b))
    if undecided and load_texts is not None:
        texts = load_texts({x for pair in undecided for x in pair})
        for a, b in undecided:
            if a not in texts or b not in texts:
                continue
            if containment(texts[a], texts[b]) >= CONTAINMENT_THRESHOLD:
                longer = len(shingle_set(texts[a])) >= len(shingle_set(texts[b]))
                big, small = (a, b) if longer else (b, a)
                contained[big].append(small)
    linked = similar | {(min(c, x), max(c, x)) for c, xs in contained.items() for x in xs}
    uf = UnionFind()
    for a, b in similar:
        uf.union(a, b)
    peers: dict[int, list[int]] = defaultdict(list)
    for a, b in similar:
        peers[a].append(b)
        peers[b].append(a)
    for big, smaller in contained.items():
        # Everything the page holds or nearly is; all of it must be one story.
        held = smaller + peers[big]
        digest = any(
            (min(x, y), max(x, y)) not in linked for i, x in enumerate(held) for y in held[i + 1 :]
        )
        if not digest:
            for small in smaller:
                uf.union(big, small)
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
