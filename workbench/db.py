"""Which database a query runs on: the one place that tells PostgreSQL from SQLite.

Features that only PostgreSQL has (full-text search, planner estimates, GIN lookups, COPY)
ask `is_postgres(...)` and fall back otherwise. Pass what the query is made of — a queryset,
a manager, a connection or an alias — so the answer is about the database it runs on, not
always the default one.
"""

from __future__ import annotations

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Manager, QuerySet
from django.utils.connection import ConnectionProxy

POSTGRESQL = "postgresql"

Where = QuerySet | Manager | BaseDatabaseWrapper | ConnectionProxy | str | None


def connection_of(on: Where = None) -> BaseDatabaseWrapper:
    """Return the connection a queryset, manager or alias uses (None: the default one)."""
    if on is None:
        return connection
    if isinstance(on, QuerySet | Manager):
        return connections[on.db]
    if isinstance(on, str):
        return connections[on]
    return on  # a connection, or django.db.connection (a proxy to the default one)


def is_postgres(on: Where = None) -> bool:
    """Whether the database of `on` (see `connection_of`) is PostgreSQL."""
    return connection_of(on).vendor == POSTGRESQL


def postgres_sql(forward: str, backward: str = ""):
    """A migration operation running `forward` on PostgreSQL only (`backward` to unapply;
    nothing when empty); on SQLite it does nothing either way."""
    from django.db import migrations

    def run(sql: str):
        def apply(apps, schema_editor):
            if sql and is_postgres(schema_editor.connection):
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward))
