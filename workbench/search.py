"""PostgreSQL-only features behind one door, each with a SQLite fallback.

- full-text search of claim text (stored tsvector column with a GIN index, websearch syntax,
  ts_rank_cd ordering) — SQLite: every word must occur (case-insensitive substring);
- row-count estimates from the planner, so list pages never run COUNT(*) on a big table —
  SQLite: an exact count capped at a limit;
- trigram similarity (pg_trgm) — SQLite: a Python ratio on the candidates.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher

from django.db import connection
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
        column = f'"{queryset.model._meta.db_table}"."search_vector"'
        query = f"websearch_to_tsquery('{FTS_CONFIG}'::regconfig, %s)"
        queryset = queryset.filter(RawSQL(f"{column} @@ {query}", [q], output_field=BooleanField()))
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
