"""Insert many rows of a history-tracked model with their "created" history rows, fast.

On PostgreSQL the rows and their historical rows go in with COPY (ids drawn from the table's
sequence first), which is several times faster than multi-row INSERTs built by the ORM; on
other databases this is simple-history's `bulk_create_with_history`. Either way every object
gets its `+` history row with the user and change reason set on it (`_history_user`,
`_change_reason`), as simple-history would record them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history


def bulk_insert_with_history(objs: Sequence[models.Model], model: type[models.Model]) -> None:
    """Insert unsaved `objs` of `model` and their creation history; set each object's pk."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(list(objs), model, batch_size=1000)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objs:
        for field in fields:
            # What save() would do: auto_now(_add) stamps, defaults already set by __init__.
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(obj, field.attname, now)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (new_id,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = new_id
        _copy(cursor, model._meta.db_table, [pk, *fields], objs)
        history = model.history.model
        history_fields = [f for f in history._meta.concrete_fields if not f.primary_key]
        convert = _converters(history_fields)
        rows = [_history_row(obj, history_fields, convert, now) for obj in objs]
        _copy_rows(cursor, history._meta.db_table, history_fields, rows)


# Values of these fields go to psycopg as they are; others go through the field's conversion.
PLAIN_FIELDS = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.ForeignKey,
)


def _plain(value):
    return value


def _converters(fields: list[models.Field]) -> list:
    """One function a field that turns an attribute value into what COPY writes."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-access proxy
    return [
        _plain
        if isinstance(f, PLAIN_FIELDS)
        else (lambda value, f=f: f.get_db_prep_save(value, wrapper))
        for f in fields
    ]


def _copy(cursor, table: str, fields: list[models.Field], objs: Sequence[models.Model]) -> None:
    convert = _converters(fields)
    attnames = [f.attname for f in fields]
    rows = ([c(getattr(obj, a)) for c, a in zip(convert, attnames, strict=True)] for obj in objs)
    _copy_rows(cursor, table, fields, rows)


def _copy_rows(cursor, table: str, fields: list[models.Field], rows) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
    # The raw psycopg cursor bypasses Django's error translation: restore it (IntegrityError…).
    with connections[DEFAULT_DB_ALIAS].wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _history_row(obj: models.Model, fields: list[models.Field], convert: list, now) -> list:
    extra = {
        "history_date": getattr(obj, "_history_date", now),
        "history_change_reason": (getattr(obj, "_change_reason", "") or "")[:100],
        "history_type": "+",
        "history_user_id": getattr(getattr(obj, "_history_user", None), "pk", None),
    }
    return [
        c(extra[f.attname] if f.attname in extra else getattr(obj, f.attname))
        for f, c in zip(fields, convert, strict=True)
    ]
