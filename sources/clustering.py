"""Syndication clusters: articles that are near-copies of each other count as one source.

The core is plain Python:

- `sketch(text)` — a bottom-k sketch of the text's word 5-shingles: every shingle is hashed
  once (blake2b, 64 bits) and the k = 64 smallest hashes are kept, as 16-digit hex strings
  (strings so that PostgreSQL's jsonb operators and GIN index can look them up). This is
  what `Article.fingerprint` stores; page chrome is left out so that "blog comments powered
  by Disqus" does not make every page of one site alike.
- `jaccard(a, b)` and `containment(a, b)` — the exact figures on two texts' shingles;
  containment is |A ∩ B| / min(|A|, |B|): how much of the shorter text is in the longer one.
- `compare(a, b)` — estimated Jaccard similarity and containment of two texts from their
  sketches. Both sketches hold *every* shingle hash below their own k-th smallest value, so
  below the smaller of the two thresholds the union and the intersection are known exactly:
  that sample gives the estimates (exact when a text has fewer than k shingles).
- `clusters(items, load_texts=...)` — candidate pairs from an inverted index on sketch values
  (pairs sharing at least `MIN_SHARED` values, or one value when a text is short enough to be
  sketched whole; values shared by more than `MAX_POSTING` articles are boilerplate and
  skipped), verified by Jaccard ≥ 0.5 or containment ≥ 0.5 (one article holds most of the
  other: a short reprint inside a longer page), joined by union-find. The earliest article of
  a cluster (dated before undated, then published_at, then id) is its origin.

Containment from sketches: a short text inside a long one leaves few of its shingles below
the long text's threshold, so the estimate rests on a small sample. Below
`CONFIDENT_SAMPLE` sampled shingles the sketch does not decide: the pair is checked on the
texts themselves (`load_texts`), or, without texts, only a near-total containment (≥ 0.8 on
at least `MIN_CONTAINMENT_SAMPLE` values) counts.

The service part stores the result: `cluster_all()` recomputes every cluster (the
`cluster_articles` command), `cluster_new(articles)` places freshly imported articles
(called by the import right after it stores them). Both then pass whose text it is along a
cluster (`inherit_origins`): an uncredited copy of a credited story — a wire story
reprinted without its "(AP)" — gets the credited members' origin, with the evidence
"a near-copy of article #N, whose origin is AP"; when the members credit different origins,
or the cluster breaks up, an origin only inherited is taken back.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

SKETCH_SIZE = 64
SHINGLE_WORDS = 5
MIN_SHARED = 2
MAX_POSTING = 200
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


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Return the word `size`-shingles of a text (case-folded); a short text is one shingle."""
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: str, b: str) -> float:
    """Return the Jaccard similarity of two texts' word shingles (0.0–1.0)."""
    sa, sb = _shingle_set(a), _shingle_set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def containment(a: str, b: str) -> float:
    """Return |A ∩ B| / min(|A|, |B|) of two texts' word shingles: the shorter one's share.

    A text of fewer than MIN_CONTAINED_SHINGLES shingles (a headline, a caption) is too short
    to be called a copy of anything: 0.0.
    """
    sa, sb = _shingle_set(a), _shingle_set(b)
    smaller = min(len(sa), len(sb))
    return len(sa & sb) / smaller if smaller >= MIN_CONTAINED_SHINGLES else 0.0


@lru_cache(maxsize=64)
def _shingle_set(text: str) -> frozenset[str]:
    # Cached: a claim's own article is compared with every candidate piece of evidence.
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
        """Whether the sketches decide; if not, the texts should (see `clusters`)."""
        return self.near_copy or self.exact or self.sample >= CONFIDENT_SAMPLE


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
    # Both sketched whole (one limit): the one with fewer shingles is the smaller text.
    larger_limit = sa if limit_a > limit_b else sb
    small = min(sa, sb, key=len) if limit_a == limit_b else larger_limit
    containment = common / len(small) if small else 0.0
    return Similarity(jaccard, containment, len(small), exact=len(a) < k and len(b) < k)


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
    limit = min(a[-1] if len(a) >= k else "g", b[-1] if len(b) >= k else "g")
    return min(bisect_right(a, limit), bisect_right(b, limit))


TextLoader = Callable[[set[int]], Mapping[int, str]]


def _sketch_container(a: Sequence[str], b: Sequence[str], *, k: int = SKETCH_SIZE) -> int:
    """0 if the first text has more shingles (its sketch threshold is lower), else 1."""
    limit_a = a[-1] if len(a) >= k else "g"
    limit_b = b[-1] if len(b) >= k else "g"
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
                longer = len(_shingle_set(texts[a])) >= len(_shingle_set(texts[b]))
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
    articles = list(Article.objects.filter(pk__in=changes).without_bodies())
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


INHERITED = "cluster"  # Article.origin_evidence["kind"] of an origin passed along a cluster


def inherit_origins(cluster_ids: Iterable[int]) -> int:
    """Give uncredited members of these clusters their credited members' one origin.

    `cluster_ids` are `cluster_origin` ids; articles that left a cluster may be passed too
    (their inherited origin is then taken back). Returns how many articles changed, each
    with a history row.
    """
    from django.db.models import Q
    from simple_history.utils import bulk_update_with_history

    from sources.models import LEAD_EVIDENCE, Article, Publisher

    ids = set(cluster_ids)
    if not ids:
        return 0
    articles = list(
        Article.objects.filter(Q(cluster_origin_id__in=ids) | Q(pk__in=ids)).values_list(
            "id", "cluster_origin_id", "origin_id", "origin_evidence", "title"
        )
    )
    credited: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for pk, cluster, origin, evidence, title in articles:
        if cluster is not None and origin is not None and (evidence or {}).get("kind") != INHERITED:
            credited[cluster].setdefault(origin, (pk, title))
    changes: dict[int, tuple[int | None, dict]] = {}
    for pk, cluster, origin, evidence, _title in articles:
        evidence = evidence or {}
        if evidence.get("kind") == LEAD_EVIDENCE:
            continue  # a lead's word stands, "no origin" too
        if origin is not None and evidence.get("kind") != INHERITED:
            continue  # the page's own credit stands
        sources = credited.get(cluster, {}) if cluster is not None else {}
        if len(sources) == 1:
            ((new_origin, (source_pk, source_title)),) = sources.items()
            new_evidence = {"kind": INHERITED, "article": source_pk, "text": source_title}
            if (origin, evidence.get("article")) != (new_origin, source_pk):
                changes[pk] = (new_origin, new_evidence)
        elif origin is not None:
            changes[pk] = (None, {})
    if not changes:
        return 0
    given = {origin for origin, _ in changes.values() if origin is not None}
    names = dict(Publisher.objects.filter(pk__in=given).values_list("id", "name"))
    rows = list(Article.objects.filter(pk__in=changes).without_bodies())
    reason = "Origin passed along its syndication cluster"
    for article in rows:
        origin, evidence = changes[article.pk]
        if origin is not None:
            evidence["why"] = (
                f"its text is a near-copy of article #{evidence['article']}, "
                f"whose origin is {names.get(origin, '?')}"
            )
        article.origin_id, article.origin_evidence = origin, evidence
        article._change_reason = reason
    bulk_update_with_history(
        rows, Article, ["origin", "origin_evidence"], batch_size=1000, default_change_reason=reason
    )
    return len(rows)


def recheck_cluster(article_id: int) -> dict[int, str]:
    """Check an article's cluster again after a lead changed its date or origin.

    The members stay (their texts have not changed), but the earliest may now be another
    one, and whose text the uncredited copies are is passed along anew (`inherit_origins`).
    Returns the other members that changed, each with what changed ("origin", or
    "syndication cluster" when only the cluster's origin moved), so that their evidence can
    be judged again.
    """
    from sources.models import Article

    cluster = Article.objects.filter(pk=article_id).values_list("cluster_origin_id", flat=True)
    origin_id = cluster.first()
    if origin_id is None:
        return {}
    members = list(
        Article.objects.filter(cluster_origin_id=origin_id)
        .order_by("id")
        .values_list("id", "published_at", "origin_id")
    )
    earliest = min(members, key=lambda m: origin_key(Item(m[0], (), m[1])))[0]
    moved = earliest != origin_id
    if moved:
        _save_origins(
            {pk: earliest for pk, _, _ in members},
            reason=f"Syndication cluster re-checked: article #{article_id} changed",
        )
    inherit_origins({earliest})
    before = {pk: origin for pk, _, origin in members}
    after = dict(Article.objects.filter(pk__in=before).values_list("id", "origin_id"))
    changed = {}
    for pk in before:
        if pk == article_id:
            continue
        if after[pk] != before[pk]:
            changed[pk] = "origin"
        elif moved:
            changed[pk] = "syndication cluster"
    return changed


def _claim_spans(article_ids) -> dict[int, list[tuple[int, int]]]:
    """The text each article's triageable claims cover, as disjoint spans in order (one query).

    Claims a reviewer made inside others overlap them: overlapping spans are joined, so no
    text is sketched twice.
    """
    from claims.models import Claim

    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Claim.objects.triageable()
        .filter(article__in=article_ids)
        .values_list("article_id", "start", "end")
    )
    for article_id, start, end in rows:
        spans[article_id].append((start, end))
    return {pk: covered(found) for pk, found in spans.items()}


def covered(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join overlapping spans; return the disjoint spans in text order (touching ones stay two)."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _without_chrome(text: str, spans: list[tuple[int, int]]) -> str:
    return "\n".join(text[start:end] for start, end in spans) if spans else text


def texts_without_chrome(ids: set[int]) -> dict[int, str]:
    """The texts clustering compares: each article's claims without its chrome (two queries)."""
    from sources.models import Article

    texts = dict(Article.objects.filter(pk__in=ids).values_list("id", "text"))
    spans = _claim_spans(list(texts))
    return {pk: _without_chrome(text, spans.get(pk, [])) for pk, text in texts.items()}


def _fill_missing_fingerprints() -> None:
    """Sketch the articles stored without a fingerprint (imported before clustering existed)."""
    from sources.models import Article

    missing = list(Article.objects.filter(fingerprint=[]).only("id", "text"))
    if not missing:
        return
    spans = _claim_spans(missing)
    for article in missing:
        article.fingerprint = sketch(_without_chrome(article.text, spans.get(article.pk, [])))
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
        result = clusters(items, load_texts=texts_without_chrome)
        changes = {pk: result.get(pk) for pk, origin in current.items() if result.get(pk) != origin}
        changed = _save_origins(changes, reason="Syndication clusters recomputed")
        inherit_origins(set(result.values()) | set(changes))
    return ClusterStats(len(set(result.values())), len(result), changed)


def _stored_candidates(fingerprints: list[list[str]], exclude: set[int]) -> list[Item]:
    """Stored articles that may be near-copies of these fingerprints (see search.py)."""
    from workbench.search import fingerprint_candidates

    rows = fingerprint_candidates(fingerprints, exclude=exclude)
    return [Item(pk, fp or [], published_at) for pk, fp, published_at in rows]


def cluster_new(articles: Sequence) -> int:
    """Place freshly stored articles in syndication clusters; return how many were clustered.

    Looks up stored articles sharing sketch values with the new ones (a GIN index lookup on
    PostgreSQL: runs of values, and each new article's few smallest values alone), clusters
    the new ones together with those candidates and their clusters, and writes the origins
    that changed. Recomputing everything stays `cluster_all()`.
    """
    from sources.models import Article

    new = [a for a in articles if a.pk is not None and a.fingerprint]
    if not new:
        return 0
    new_ids = {a.pk for a in new}
    # Each smallest value on its own too: a short copy of a stored long page shares only its
    # smallest hashes with the page's sketch (those below the page's threshold).
    lookups = [a.fingerprint for a in new]
    lookups += [[value] for a in new for value in a.fingerprint[: MIN_SHARED * 2]]
    stored = _stored_candidates(lookups, exclude=new_ids)
    items = [Item(a.pk, a.fingerprint, a.published_at) for a in new] + stored
    result = clusters(items, load_texts=texts_without_chrome)
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
    inherit_origins({origin for origin in changes.values() if origin is not None} | set(changes))
    for article in new:
        if article.pk in changes:
            article.cluster_origin_id = changes[article.pk]
    return len(new_ids & set(changes))


def article_recluster(article) -> bool:
    """Sketch an article again from its current claims and re-place it among its copies.

    The fingerprint is the sketch of what the article's claims cover (chrome left out), so a
    reviewer's boundary fix (chrome marked or unmarked, a span moved) changes it. When it
    changed, the article's cluster, the stored articles that may be its copies and their
    clusters are clustered again together — a part of `cluster_all()`, as small as the
    article's neighbourhood — and the origins that changed are written with history.
    Returns whether the fingerprint changed.
    """
    from django.db.models import Q

    from sources.models import Article

    spans = _claim_spans([article.pk]).get(article.pk, [])
    fingerprint = sketch(_without_chrome(article.text, spans))
    if fingerprint == article.fingerprint:
        return False
    # The fingerprint is not in the history (excluded field): a plain update is right.
    Article.objects.filter(pk=article.pk).update(fingerprint=fingerprint)
    article.fingerprint = fingerprint
    lookups = [fingerprint, *([value] for value in fingerprint[: MIN_SHARED * 2])]
    candidates = {item.id for item in _stored_candidates(lookups, exclude={article.pk})}
    clustered = set(
        Article.objects.filter(pk__in=candidates | {article.pk}, cluster_origin__isnull=False)
        .values_list("cluster_origin_id", flat=True)
        .distinct()
    )
    rows = Article.objects.filter(
        Q(pk__in=candidates | {article.pk}) | Q(cluster_origin_id__in=clustered)
    ).values_list("id", "fingerprint", "published_at", "cluster_origin_id")
    items, current = [], {}
    for pk, stored, published_at, origin in rows:
        items.append(Item(pk, stored or [], published_at))
        current[pk] = origin
    result = clusters(items, load_texts=texts_without_chrome)
    changes = {pk: result.get(pk) for pk, origin in current.items() if result.get(pk) != origin}
    _save_origins(changes, reason="Syndication cluster after a claim boundary fix")
    inherit_origins(set(result.values()) | set(changes) | clustered)
    article.cluster_origin_id = result.get(article.pk)
    return True
