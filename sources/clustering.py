"""Store syndication clusters: which article's text each article is a near-copy of.

Finding the clusters is plain Python (`sources/ingest/syndication.py`, on the fingerprints
of `sources/ingest/fingerprint.py`); this module reads and writes them. `cluster_all()`
recomputes every cluster (the `cluster_articles` command), `cluster_new(articles)` places
freshly imported articles (called by the import right after it stores them), and
`article_recluster(article)` re-places one article after a reviewer fixed its claims. Each
then passes whose text it is along a cluster (`inherit_origins`): an uncredited copy of a
credited story — a wire story reprinted without its "(AP)" — gets the credited members'
origin, with the evidence "a near-copy of article #N, whose origin is AP"; when the members
credit different origins, or the cluster breaks up, an origin only inherited is taken back.

Stored articles that may be near-copies are looked up by their fingerprints
(`fingerprint_candidates`): a GIN (jsonb_path_ops) index lookup on PostgreSQL, a scan on
SQLite.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from simple_history.utils import bulk_update_with_history

from claims.models import Claim
from sources.ingest.fingerprint import sketch
from sources.ingest.syndication import MIN_SHARED, Item, UnionFind, clusters, origin_key
from sources.models import LEAD_EVIDENCE, Article, Publisher
from workbench.db import is_postgres


@dataclass(frozen=True, slots=True)
class ClusterStats:
    clusters: int
    articles: int
    changed: int


def _save_origins(changes: dict[int, int | None], *, reason: str) -> int:
    """Write cluster_origin for these articles, with history; return how many changed."""
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


INHERITED = "cluster"  # Article.origin_evidence["kind"] of an origin passed along a cluster


def inherit_origins(cluster_ids: Iterable[int]) -> int:
    """Give uncredited members of these clusters their credited members' one origin.

    `cluster_ids` are `cluster_origin` ids; articles that left a cluster may be passed too
    (their inherited origin is then taken back). Returns how many articles changed, each
    with a history row.
    """
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
    rows = list(
        Article.objects.filter(pk__in=changes).defer(
            "text", "received_text", "repairs", "original_html", "fingerprint"
        )
    )
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
    texts = dict(Article.objects.filter(pk__in=ids).values_list("id", "text"))
    spans = _claim_spans(list(texts))
    return {pk: _without_chrome(text, spans.get(pk, [])) for pk, text in texts.items()}


def _fill_missing_fingerprints() -> None:
    """Sketch the articles stored without a fingerprint (imported before clustering existed)."""
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


# A stored article is a candidate near-copy when it holds one of these runs of consecutive
# sketch values: near-copies share most of their sketch, so some run matches, while texts
# that only share a common sentence rarely hold a whole run.
FINGERPRINT_BAND = 3


def _bands(fingerprint: list[str]) -> list[list[str]]:
    size = FINGERPRINT_BAND if len(fingerprint) >= 4 * FINGERPRINT_BAND else 1
    return [fingerprint[i : i + size] for i in range(0, len(fingerprint), size)]


def fingerprint_candidates(
    fingerprints: list[list[str]], *, exclude: set[int]
) -> list[tuple[int, list[str], object]]:
    """Return (id, fingerprint, published_at) of stored articles that may be near-copies.

    PostgreSQL: jsonb containment `fingerprint @> '["v1","v2","v3"]'` per band, answered by
    the GIN (jsonb_path_ops) index of sources migration 0005. SQLite: a scan of the stored
    fingerprints for any shared value.
    """
    if is_postgres(Article.objects):
        bands = [json.dumps(b) for fp in fingerprints for b in _bands(fp) if b]
        if not bands:
            return []
        condition = " OR ".join(["fingerprint @> %s::jsonb"] * len(bands))
        sql = (
            f"SELECT id, fingerprint, published_at FROM {Article._meta.db_table} "
            f"WHERE ({condition}) AND NOT (id = ANY(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*bands, list(exclude)])
            rows = cursor.fetchall()
        return [(pk, json.loads(fp) if isinstance(fp, str) else fp, at) for pk, fp, at in rows]
    wanted = {value for fp in fingerprints for value in fp}
    rows = Article.objects.exclude(pk__in=exclude).values_list("id", "fingerprint", "published_at")
    return [row for row in rows.iterator() if row[1] and wanted.intersection(row[1])]


def _stored_candidates(fingerprints: list[list[str]], exclude: set[int]) -> list[Item]:
    """Stored articles that may be near-copies of these fingerprints."""
    rows = fingerprint_candidates(fingerprints, exclude=exclude)
    return [Item(pk, fp or [], published_at) for pk, fp, published_at in rows]


def cluster_new(articles: Sequence) -> int:
    """Place freshly stored articles in syndication clusters; return how many were clustered.

    Looks up stored articles sharing sketch values with the new ones (a GIN index lookup on
    PostgreSQL: runs of values, and each new article's few smallest values alone), clusters
    the new ones together with those candidates and their clusters, and writes the origins
    that changed. Recomputing everything stays `cluster_all()`.
    """
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
