"""The activity feed: what happened to claims, their evidence, ratings, notes and families, and
to articles — read from the history records (django-simple-history), never a second log.

One UNION ALL over the historical tables' few columns (when, who, what, why), newest first,
walked by a keyset (date, kind, history id): a page is one query whatever the tables' size
(each table's history_date is indexed), plus one for the users and one for the claims named.
Per claim, article, user or the whole desk (`Scope`). Ratings and notes a reader may not see
under blind review (desk.blind) are left out, as on the claim page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, CharField, F, Q, QuerySet, Value
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from claims.models import Claim, Corroboration, Note, Rating
from desk import blind
from families.models import FamilyMember
from sources.models import Article

PAGE_SIZE = 50
# kind → (tracked model, the column naming the claim; None: the row is no claim's).
SOURCES: dict[str, tuple[type, str | None]] = {
    "article": (Article, None),
    "claim": (Claim, "id"),
    "corroboration": (Corroboration, "claim_id"),
    "family": (FamilyMember, "claim_id"),
    "note": (Note, "claim_id"),
    "rating": (Rating, "claim_id"),
}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
LABELS = {
    "article": "article",
    "claim": "claim",
    "corroboration": "evidence",
    "family": "family membership",
    "note": "note",
    "rating": "rating",
}


@dataclass(frozen=True)
class Scope:
    """Whose activity: one claim's, one article's (and its claims'), one user's, or all."""

    claim_id: int | None = None
    article_id: int | None = None
    user_id: int | None = None

    def rows(self, kind: str, history: QuerySet) -> QuerySet | None:
        """Narrow one historical table to the scope (None: the table has nothing in it)."""
        _, claim_column = SOURCES[kind]
        if self.user_id is not None:
            history = history.filter(history_user_id=self.user_id)
        if self.claim_id is not None:
            if claim_column is None:
                return None
            history = history.filter(**{claim_column: self.claim_id})
        if self.article_id is not None:
            if kind == "article":
                history = history.filter(id=self.article_id)
            elif kind == "claim":
                history = history.filter(article_id=self.article_id)
            else:
                claims = Claim.objects.filter(article_id=self.article_id).values("pk")
                history = history.filter(claim_id__in=claims)
        return history


@dataclass
class Activity:
    """One recorded change, as the feed shows it."""

    kind: str
    object_id: int
    claim_id: int | None
    history_id: int
    history_type: str
    date: datetime.datetime
    user: object | None
    reason: str
    claim_text: str = ""

    @property
    def action(self) -> str:
        return ACTIONS[self.history_type]

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def url(self) -> str:
        if self.kind == "article":
            return reverse("sources:article_detail", args=[self.object_id])
        return reverse("claims:detail", args=[self.claim_id])

    @property
    def cursor(self) -> str:
        return f"{self.date.isoformat()}|{self.kind}|{self.history_id}"


@dataclass
class ActivityPage:
    entries: list[Activity]
    next_cursor: str | None


def parse_cursor(cursor: str) -> tuple[datetime.datetime, str, int] | None:
    """Read a page cursor ("<date>|<kind>|<history id>"); None if it is not one."""
    try:
        date, kind, history_id = cursor.split("|")
        parsed = parse_datetime(date)
        if parsed is None or kind not in SOURCES:
            return None
        return parsed, kind, int(history_id)
    except ValueError:
        return None


def _after(kind: str, start: tuple[datetime.datetime, str, int]) -> Q:
    """The rows of `kind` that come after `start` in (date, kind, history id) descending."""
    date, start_kind, history_id = start
    if kind < start_kind:
        return Q(history_date__lte=date)
    if kind > start_kind:
        return Q(history_date__lt=date)
    return Q(history_date__lt=date) | Q(history_date=date, history_id__lt=history_id)


def activity_union(scope: Scope, *, viewer=None, after: str = "") -> QuerySet:
    """The history rows of the scope as one UNION ALL of dicts, newest first (unsliced)."""
    start = parse_cursor(after) if after else None
    visible = {}
    if viewer is not None:
        ids = [scope.claim_id] if scope.claim_id is not None else None
        visible = blind.visibility_filters(viewer, claim_ids=ids)
    parts = []
    for kind, (model, claim_column) in SOURCES.items():
        history = scope.rows(kind, model.history.all())
        if history is None:
            continue
        if model in visible:
            history = history.filter(visible[model])
        if start is not None:
            history = history.filter(_after(kind, start))
        claim = F(claim_column) if claim_column else Value(None, output_field=BigIntegerField())
        parts.append(
            history.order_by()
            .annotate(activity_kind=Value(kind, output_field=CharField()), activity_claim=claim)
            .values_list(
                "history_date",
                "activity_kind",
                "history_id",
                "history_type",
                "history_user_id",
                "history_change_reason",
                "id",
                "activity_claim",
            )
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-activity_kind", "-history_id")


def activity_page(
    scope: Scope, *, viewer=None, after: str = "", size: int = PAGE_SIZE
) -> ActivityPage:
    """One page of the scope's activity, newest first: the union, the users, the claims."""
    rows = list(activity_union(scope, viewer=viewer, after=after)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    users = get_user_model().objects.in_bulk({r[4] for r in rows if r[4] is not None})
    claim_ids = {r[7] for r in rows if r[7] is not None}
    texts = dict(Claim.objects.filter(pk__in=claim_ids).order_by().values_list("pk", "text"))
    entries = [
        Activity(
            kind=kind,
            object_id=object_id,
            claim_id=claim_id,
            history_id=history_id,
            history_type=history_type,
            date=date,
            user=users.get(user_id),
            reason=reason or "",
            claim_text=texts.get(claim_id, ""),
        )
        for date, kind, history_id, history_type, user_id, reason, object_id, claim_id in rows
    ]
    return ActivityPage(entries, entries[-1].cursor if more and entries else None)
