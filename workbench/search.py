"""Full-text search and cheap counts: PostgreSQL features with a SQLite fallback.

Generic over the model: an app passes its own queryset, and the table comes from the
model (`Model._meta.db_table`). Which database a query runs on is `workbench/db.py`'s to say.

- full-text search of a model's stored `search_vector` column (GIN index, websearch syntax,
  ts_rank_cd ordering) — SQLite: every word must occur in `text` (case-insensitive
  substring);
- row-count estimates from the planner, so list pages never run COUNT(*) on a big table —
  SQLite: an exact count capped at a limit.

The app-specific lookups live with their app: candidate evidence in claims/candidates.py,
syndication candidates in sources/clustering.py.
"""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from workbench.db import is_postgres

FTS_CONFIG = "english"
COUNT_CAP = 10_000


def search(queryset: QuerySet, q: str, *, rank: bool = False) -> QuerySet:
    """Filter a queryset to the rows whose text matches the query `q`.

    On PostgreSQL `q` is web-search syntax ("quoted phrases", -exclusions, or) matched against
    the stored `search_vector` column (claims migration 0007). With `rank=True` rows get a
    `rank` annotation (ts_rank_cd as a float8; 0 on SQLite) for relevance ordering.
    """
    q = q.strip()
    if not q:
        return queryset
    if is_postgres(queryset):
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
            # A float8 (ts_rank_cd is a float4, whose text form does not read back as the same
            # number): a cursor on it compares equal ranks as equal across pages, and the rank
            # is computed once per match, not again for a copy to sort on.
            queryset = queryset.annotate(
                rank=RawSQL(
                    f"ts_rank_cd({column}, {query})::float8", [q], output_field=FloatField()
                )
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
    if is_postgres(queryset):
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


__all__ = [
    "estimated_count",
    "search",
]
