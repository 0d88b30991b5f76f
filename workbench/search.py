"""PostgreSQL-only features behind one door, each with a SQLite fallback.

- full-text search of claim text (stored tsvector column with a GIN index, websearch syntax,
  ts_rank_cd ordering) — SQLite: every word must occur (case-insensitive substring);
- row-count estimates from the planner, so list pages never run COUNT(*) on a big table —
  SQLite: an exact count capped at a limit;
- candidate evidence: a rare-lexeme tsquery prefilter (GIN) —
  SQLite: a word prefilter; both ranked in Python on at most 200 texts;
- syndication candidates: GIN containment on article fingerprints — SQLite: a scan.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

FTS_CONFIG = "english"
COUNT_CAP = 10_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def search(queryset: QuerySet, q: str, *, rank: bool = False) -> QuerySet:
    """Filter a queryset of claims to those whose text matches the query `q`.

    On PostgreSQL `q` is web-search syntax ("quoted phrases", -exclusions, or) matched against
    the stored `search_vector` column (claims migration 0007). With `rank=True` rows get a
    `rank` annotation (ts_rank_cd; 0 on SQLite) for relevance ordering.
    """
    q = q.strip()
    if not q:
        return queryset
    if is_postgres():
        table = queryset.model._meta.db_table
        column = f'"{table}"."search_vector"'
        query = f"websearch_to_tsquery('{FTS_CONFIG}'::regconfig, %s)"
        few = _few_matches(table, q)
        if few is not None:
            queryset = queryset.filter(pk__in=few)
        else:
            queryset = queryset.filter(
                RawSQL(f"{column} @@ {query}", [q], output_field=BooleanField())
            )
        if rank:
            queryset = queryset.annotate(
                rank=RawSQL(f"ts_rank_cd({column}, {query})", [q], output_field=FloatField())
            )
        return queryset
    condition = Q()
    for word in q.replace('"', " ").split():
        if word.lower() in {"or", "and"} or word.startswith("-"):
            continue
        condition &= Q(text__icontains=word)
    queryset = queryset.filter(condition)
    if rank:
        queryset = queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    return queryset


# A search that matches at most FEW_MATCHES claims is answered from the GIN index first (the
# ids of every match), then sorted; otherwise PostgreSQL walks the queue's score index, which
# holds each claim's search vector (claims migration 0010), and finds a page of matches at
# once. The GIN probe is only tried when the planner expects at most PROBE_ESTIMATE matches:
# for a word it knows is common, the probe would cost more than it saves.
FEW_MATCHES = 1_000
PROBE_ESTIMATE = 10_000


def _few_matches(table: str, q: str) -> list[int] | None:
    """Return the ids of all claims matching `q` if there are few of them, else None.

    The planner cannot know how rare a word it has no statistics for (a name imported since
    the last ANALYZE): it guesses, walks the score index and may read the whole table to
    fill one page. For a query it expects to be rare, the GIN index lists the matches first.
    """
    match = f"search_vector @@ websearch_to_tsquery('{FTS_CONFIG}'::regconfig, %s)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT id FROM {table} WHERE {match}", [q])
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        if plan[0]["Plan"]["Plan Rows"] > PROBE_ESTIMATE:
            return None
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # the GIN bitmap, nothing else
            cursor.execute(f"SELECT id FROM {table} WHERE {match} LIMIT %s", [q, FEW_MATCHES + 1])
            ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= FEW_MATCHES else None


def estimated_count(queryset: QuerySet, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Return (count, exact) cheaply: the planner's estimate on PostgreSQL, a capped count else.

    `exact` is False when the number is an estimate or was capped.
    """
    if is_postgres():
        try:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # e.g. a search whose list of matches is empty
            return 0, True
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate <= 1000:
            # Small results are cheap to count exactly, and a wrong "about 3" looks broken.
            return queryset.order_by().count(), True
        return estimate, False
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n <= cap


# -- Syndication candidates: stored articles sharing sketch values (sources/clustering.py) ---

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
    from sources.models import Article

    if is_postgres():
        bands = [json.dumps(b) for fp in fingerprints for b in _bands(fp) if b]
        if not bands:
            return []
        condition = " OR ".join(["fingerprint @> %s::jsonb"] * len(bands))
        sql = (
            "SELECT id, fingerprint, published_at FROM sources_article "
            f"WHERE ({condition}) AND NOT (id = ANY(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*bands, list(exclude)])
            rows = cursor.fetchall()
        return [(pk, json.loads(fp) if isinstance(fp, str) else fp, at) for pk, fp, at in rows]
    wanted = {value for fp in fingerprints for value in fp}
    rows = Article.objects.exclude(pk__in=exclude).values_list("id", "fingerprint", "published_at")
    return [row for row in rows.iterator() if row[1] and wanted.intersection(row[1])]


# -- Candidate evidence: claims of other articles that say the same thing (claims/candidates.py)

PREFILTER_LIMIT = 200
RARE_LEXEMES = 6
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]{2,}")
_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "been",
        "its",
        "their",
        "they",
        "them",
        "said",
        "says",
        "will",
        "would",
        "could",
        "should",
        "also",
        "which",
        "while",
        "about",
        "into",
        "over",
        "more",
        "than",
        "other",
        "after",
        "before",
        "such",
        "these",
        "those",
        "there",
        "where",
        "when",
        "what",
        "who",
        "whom",
        "whose",
        "not",
        "but",
        "all",
        "any",
        "can",
        "may",
        "might",
        "must",
        "our",
        "out",
        "per",
        "some",
        "very",
        "just",
        "only",
        "being",
        "both",
        "each",
        "most",
        "many",
        "much",
        "according",
        "told",
        "year",
        "years",
    }
)


def rare_lexemes(claim_id: int, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The claim's `limit` least frequent lexemes (PostgreSQL: one query).

    Frequencies come from the planner's statistics of the stored tsvector column
    (`pg_stats.most_common_elems`, gathered by ANALYZE): a lexeme missing from that list is
    rarer than any listed one.
    """
    sql = """
        WITH mine AS (
            SELECT unnest(tsvector_to_array(search_vector)) AS lexeme
            FROM claims_claim WHERE id = %s
        ), stats AS (
            SELECT unnest(most_common_elems::text::text[]) AS lexeme,
                   unnest(most_common_elem_freqs) AS freq
            FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = 'claims_claim'
              AND attname = 'search_vector'
        )
        SELECT mine.lexeme FROM mine LEFT JOIN stats USING (lexeme)
        WHERE length(mine.lexeme) > 2
        ORDER BY coalesce(stats.freq, 0), length(mine.lexeme) DESC, mine.lexeme
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_id, limit])
        return [row[0] for row in cursor.fetchall()]


def keywords(text: str, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The longest distinct non-stopwords of a text (SQLite's stand-in for rare lexemes)."""
    words = {w.casefold().strip("'’-") for w in _WORD_RE.findall(text)}
    words = {w for w in words if len(w) > 3 and w not in _STOPWORDS}
    return sorted(words, key=lambda w: (-len(w), w))[:limit]


def similar_claims(queryset: QuerySet, claim, *, limit: int) -> list:
    """Rank claims of `queryset` by similarity to `claim`, after a bounded prefilter.

    Prefilter, at most PREFILTER_LIMIT triageable claims of other articles (no chrome, no
    retired claims) —
    PostgreSQL: the claim's rarest lexemes OR-ed into a tsquery against the stored
    `search_vector` (GIN); SQLite: claims containing any of the claim's longest words. The
    prefiltered texts are ranked in Python (`word_similarity`): on PostgreSQL that is several
    times faster than pg_trgm `similarity()` over 200 rows (each call re-trigrams both
    texts). The best `limit` rows are then read with `queryset`'s joins; each gets a
    `similarity` attribute. Queries: PostgreSQL 3, SQLite 2 (1 and 0 when nothing matches).
    """
    others = queryset.model.objects.triageable().exclude(article_id=claim.article_id)
    if is_postgres():
        lexemes = rare_lexemes(claim.pk)
        if not lexemes:
            return []
        tsquery = " | ".join("'" + lex.replace("'", "''") + "'" for lex in lexemes)
        column = f'"{queryset.model._meta.db_table}"."search_vector"'
        prefilter = others.filter(
            RawSQL(f"{column} @@ %s::tsquery", [tsquery], output_field=BooleanField())
        )
    else:
        words = keywords(claim.text)
        if not words:
            return []
        condition = Q()
        for word in words:
            condition |= Q(text__icontains=word)
        prefilter = others.filter(condition)
    texts = list(prefilter.order_by().values_list("id", "text")[:PREFILTER_LIMIT])
    mine = _word_set(claim.text)
    scored = sorted(
        ((_jaccard(mine, _word_set(text)), pk) for pk, text in texts),
        key=lambda item: (-item[0], item[1]),
    )[:limit]
    if not scored:
        return []
    score = {pk: value for value, pk in scored}
    rows = list(queryset.filter(pk__in=score))
    for row in rows:
        row.similarity = score[row.pk]
    rows.sort(key=lambda r: (-r.similarity, r.pk))
    return rows


def word_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' word sets (0–1)."""
    return _jaccard(_word_set(a), _word_set(b))


def _word_set(text: str) -> set[str]:
    return set(_WORD_RE.findall(text.casefold()))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


__all__ = [
    "estimated_count",
    "fingerprint_candidates",
    "is_postgres",
    "keywords",
    "rare_lexemes",
    "search",
    "similar_claims",
    "word_similarity",
]
