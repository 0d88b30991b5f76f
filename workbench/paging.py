"""Keyset pagination: each page starts after the last row of the one before.

The page before one is read the same way in the reversed order (`reversed`, `cut_before`),
from the first row of the page one was on.

A page is asked for by the sort key and id of the previous page's last row (its cursor), so
page 1,000 costs what page 1 costs and no page runs OFFSET or COUNT(*). The key and the id are
ordered in one direction, so the database compares the row value `(key, id)` with the cursor
in a single index range scan, however deep the page.

A cursor comes from a URL: `Keyset.decode` refuses (None) anything that is not a cursor of
this ordering, and each list decides what a refused cursor means (the queue reports it and
shows the first page).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from workbench.http import MAX_ID


@dataclass(frozen=True)
class Page:
    """One page of rows; `next_start` is what the next page starts after (None: last page)."""

    rows: list
    next_start: tuple | None
    is_first: bool


@dataclass(frozen=True)
class Keyset:
    """An ordering by `key` then id, both ascending or both descending, walked page by page.

    `key` is a model field, or with `computed` an annotation (compared as such: nothing to
    walk in an index); `kind` is what its values are: int, float or datetime. A keyset on
    "id" alone has starts of one value, `(id,)`.
    """

    key: str = "id"
    descending: bool = True
    kind: type = int
    computed: bool = False

    def reversed(self) -> Keyset:
        """The same ordering walked the other way: what comes before a page, nearest first."""
        return replace(self, descending=not self.descending)

    def ordered(self, qs: QuerySet) -> QuerySet:
        """Order `qs` by the key then id."""
        sign = "-" if self.descending else ""
        fields = ["id"] if self.key == "id" else [self.key, "id"]
        return qs.order_by(*(sign + name for name in fields))

    def after(self, qs: QuerySet, start: tuple | None) -> QuerySet:
        """Keep the rows of `qs` that come after `start` in this order (all when None)."""
        if start is None:
            return qs
        if self.key == "id":
            (pk,) = start
            return qs.filter(id__lt=pk) if self.descending else qs.filter(id__gt=pk)
        key, pk = start
        lookup = "lt" if self.descending else "gt"
        if self.computed:
            tie = Q(**{self.key: key, f"id__{lookup}": pk})
            return qs.filter(Q(**{f"{self.key}__{lookup}": key}) | tie)
        field = qs.model._meta.get_field(self.key)
        table, op = qs.model._meta.db_table, "<" if self.descending else ">"
        condition = RawSQL(
            f'("{table}"."{field.column}", "{table}"."id") {op} (%s, %s)',
            (field.get_db_prep_value(key, connection), pk),
            output_field=BooleanField(),
        )
        return qs.filter(condition)

    def start_of(self, row) -> tuple:
        """What the page after `row` starts after."""
        return (row.pk,) if self.key == "id" else (getattr(row, self.key), row.pk)

    def page(self, qs: QuerySet, start: tuple | None, *, size: int) -> Page:
        """Return the `size` rows after `start` (one query) and where the next page starts."""
        rows = list(self.after(self.ordered(qs), start)[: size + 1])
        return self.cut(rows, start, size=size)

    def cut(self, rows: list, start: tuple | None, *, size: int) -> Page:
        """Make a page of up to `size + 1` rows read in this order (the extra one says more)."""
        if len(rows) <= size:
            return Page(rows, None, start is None)
        rows = rows[:size]
        return Page(rows, self.start_of(rows[-1]), start is None)

    def cut_before(self, rows: list, *, size: int) -> Page:
        """Make the page before a start of up to `size + 1` rows read by `reversed()` (nearest
        first; the extra one says there are more before): the page after it is where we were."""
        first = len(rows) <= size
        rows = rows[:size][::-1]
        return Page(rows, self.start_of(rows[-1]) if rows else None, first)

    def start_before(self, page: Page) -> tuple | None:
        """What the page before `page` ends before (None on the first page)."""
        return self.start_of(page.rows[0]) if page.rows and not page.is_first else None

    def encode(self, start: tuple) -> str:
        """The cursor of a start, for a URL."""
        values = [v.isoformat() if isinstance(v, datetime) else v for v in start]
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple | None:
        """The start a cursor stands for, or None when it is not a cursor of this ordering.

        A key of the wrong type would crash the query, an id out of range too.
        """
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except ValueError:  # bad base64, bad JSON, bad UTF-8
            return None
        width = 1 if self.key == "id" else 2
        if not isinstance(values, list) or len(values) != width:
            return None
        *key, pk = values
        if not _is_id(pk):
            return None
        if not key:
            return (pk,)
        value = self._key(key[0])
        return None if value is None else (value, pk)

    def _key(self, value):
        if self.kind is float:
            return value if type(value) in (int, float) else None
        if self.kind is datetime:
            try:
                moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                return None
            return moment if moment is not None and moment.tzinfo is not None else None
        return value if type(value) is int and 0 <= value <= MAX_ID else None


def _is_id(value) -> bool:
    return type(value) is int and 0 < value <= MAX_ID
