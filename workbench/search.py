"""PostgreSQL-only features behind one door, each with a SQLite fallback.

- full-text search of claim text (GIN index on to_tsvector('english', text), websearch syntax,
  ts_rank ordering) — SQLite: every word must occur (case-insensitive substring);
- row-count estimates from the planner, so list pages never run COUNT(*) on a big table —
  SQLite: an exact count capped at a limit;
- trigram similarity (pg_trgm) — SQLite: a Python ratio on the candidates.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, Q, QuerySet, Value

FTS_CONFIG = "english"
COUNT_CAP = 10_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def claim_text_vector() -> SearchVector:
    """The expression the GIN index is built on; queries must use exactly this one."""
    return SearchVector("text", config=FTS_CONFIG)


def search(queryset: QuerySet, q: str, *, rank: bool = False) -> QuerySet:
    """Filter `queryset` (of a model with a `text` field) to rows matching the query `q`.

    With `rank=True` rows get a `rank` annotation (0 on SQLite) for relevance ordering.
    """
    q = q.strip()
    if not q:
        return queryset
    if is_postgres():
        query = SearchQuery(q, config=FTS_CONFIG, search_type="websearch")
        queryset = queryset.alias(fts=claim_text_vector()).filter(fts=query)
        if rank:
            queryset = queryset.annotate(rank=SearchRank(claim_text_vector(), query))
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


def estimated_count(queryset: QuerySet, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Return (count, exact) cheaply: the planner's estimate on PostgreSQL, a capped count else.

    `exact` is False when the number is an estimate or was capped.
    """
    if is_postgres():
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
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


def similarity(queryset: QuerySet, field: str, text: str) -> QuerySet:
    """Annotate `similarity` (0–1) of `field` to `text`: pg_trgm on PostgreSQL, 0 on SQLite."""
    if is_postgres():
        from django.contrib.postgres.search import TrigramSimilarity

        return queryset.annotate(similarity=TrigramSimilarity(field, text))
    return queryset.annotate(similarity=Value(0.0, output_field=FloatField()))


def text_similarity(a: str, b: str) -> float:
    """A backend-free similarity of two strings (used to rank candidates on SQLite)."""
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


__all__ = ["estimated_count", "is_postgres", "search", "similarity", "text_similarity"]
