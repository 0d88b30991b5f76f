"""The triage queue: filters from GET parameters, whitelisted ordering, keyset pagination.

Every view of the queue is a shareable URL (`?status=…&kind=…&q=…&o=…&after=…`). Pages are
walked with a cursor (the last row's sort key), so page 1,000 costs what page 1 costs and no
page runs COUNT(*) over the table; the total shown is the planner's estimate.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import QueryDict

from claims.models import Claim, ClaimKind, ClaimStatus, Corroboration, Credibility
from workbench import search
from workbench.db import is_postgres
from workbench.http import MAX_ID, parse_id

PAGE_SIZE = 50
OPEN_STATUSES = [ClaimStatus.UNREVIEWED, ClaimStatus.IN_REVIEW]

# o= value → (label, model field, column, descending)
ORDERINGS: dict[str, tuple[str, str, str, bool]] = {
    "-score": ("Highest score first", "score", "score", True),
    "score": ("Lowest score first", "score", "score", False),
    "-updated": ("Recently changed first", "updated_at", "updated_at", True),
    "updated": ("Least recently changed first", "updated_at", "updated_at", False),
    "credibility": ("Most credible first", "credibility", "credibility", False),
    "-credibility": ("Least credible first", "credibility", "credibility", True),
    "-id": ("Newest claims first", "id", "id", True),
    "id": ("Oldest claims first", "id", "id", False),
}
DEFAULT_ORDERING = "-score"
RELEVANCE = "rank"


@dataclass
class TriageFilters:
    """The queue's state as read from the URL; `errors` name the parameters that were ignored."""

    statuses: list[str] = field(default_factory=lambda: list(OPEN_STATUSES))
    kinds: list[str] = field(default_factory=list)
    publisher: int | None = None
    article: int | None = None
    assignee: str = ""  # "", "mine", "none", or a user id
    evidence: str = ""  # "", "yes", "no"
    credibility: int | None = None
    q: str = ""
    o: str = DEFAULT_ORDERING
    after: str = ""
    errors: list[str] = field(default_factory=list)

    def querystring(self, **changes) -> str:
        """Return the URL query for these filters with `changes` applied (cursor dropped)."""
        params = QueryDict(mutable=True)
        values = {
            "status": self.statuses if self.statuses != OPEN_STATUSES else [],
            "kind": self.kinds,
            "publisher": self.publisher,
            "article": self.article,
            "assignee": self.assignee,
            "evidence": self.evidence,
            "credibility": self.credibility,
            "q": self.q,
            "o": self.o if self.o != self.default_ordering else "",
        } | changes
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    params.appendlist(key, str(item))
        return params.urlencode()

    @property
    def default_ordering(self) -> str:
        return DEFAULT_ORDERING


def _int(params: QueryDict, name: str, errors: list[str]) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        errors.append(f"{name}: {raw!r} is not a number; ignored.")
    return value


def parse_filters(params: QueryDict) -> TriageFilters:
    """Read the queue's filters from GET parameters, ignoring (and reporting) invalid ones."""
    errors: list[str] = []
    statuses = [s for s in params.getlist("status") if s]
    if "all" in statuses:
        statuses = list(ClaimStatus.values)
    bad = [s for s in statuses if s not in ClaimStatus.values]
    if bad:
        errors.append(f"status: unknown {', '.join(bad)}; ignored.")
    statuses = [s for s in statuses if s in ClaimStatus.values] or list(OPEN_STATUSES)
    kinds = [k for k in params.getlist("kind") if k]
    triage_kinds = [k for k in ClaimKind.values if k != ClaimKind.CHROME]
    if any(k not in triage_kinds for k in kinds):
        errors.append("kind: only claim kinds can be shown (page chrome never is); ignored.")
    kinds = [k for k in kinds if k in triage_kinds]
    credibility = _int(params, "credibility", errors)
    if credibility is not None and credibility not in Credibility.values:
        errors.append("credibility: must be 1–6; ignored.")
        credibility = None
    assignee = params.get("assignee", "").strip()
    if assignee not in ("", "mine", "none") and parse_id(assignee) is None:
        errors.append(f"assignee: {assignee!r} is not a user; ignored.")
        assignee = ""
    evidence = params.get("evidence", "").strip()
    if evidence not in ("", "yes", "no"):
        errors.append("evidence: must be yes or no; ignored.")
        evidence = ""
    # PostgreSQL refuses NUL characters in text parameters.
    q = params.get("q", "").replace("\x00", "").strip()[:200]
    # Search keeps the queue's order (check-worthiness) unless "best match" is asked for:
    # ranking every match of a common word at a million claims is too slow for a default.
    o = params.get("o", "").strip() or DEFAULT_ORDERING
    if o not in ORDERINGS and not (o == RELEVANCE and q):
        errors.append(f"o: cannot order by {o!r}; ordered by score.")
        o = DEFAULT_ORDERING
    after = params.get("after", "").strip()
    if after and _cursor(after, o) is None:
        errors.append("after: not a page of this queue; showing the first page.")
        after = ""
    return TriageFilters(
        statuses=statuses,
        kinds=kinds,
        publisher=_int(params, "publisher", errors),
        article=_int(params, "article", errors),
        assignee=assignee,
        evidence=evidence,
        credibility=credibility,
        q=q,
        o=o,
        after=after,
        errors=errors,
    )


def triage_queryset(filters: TriageFilters, user) -> QuerySet:
    """Claims matching the filters, with what a queue row shows, unordered."""
    evidence = Corroboration.objects.filter(claim_id=OuterRef("pk"))
    qs = Claim.objects.triageable().filter(status__in=filters.statuses)
    if filters.kinds:
        qs = qs.filter(kind__in=filters.kinds)
    if filters.publisher:
        qs = qs.filter(article__publisher_id=filters.publisher)
    if filters.article:
        qs = qs.filter(article_id=filters.article)
    if filters.assignee == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.evidence == "yes":
        qs = qs.filter(Exists(evidence))
    elif filters.evidence == "no":
        qs = qs.filter(~Exists(evidence))
    if filters.credibility:
        qs = qs.filter(credibility=filters.credibility)
    qs = search.search(qs, filters.q, rank=filters.o == RELEVANCE)
    count = evidence.order_by().values("claim_id").annotate(n=Count("pk")).values("n")
    return qs.select_related("article__publisher", "assignee").annotate(
        evidence_count=Subquery(count, output_field=IntegerField())
    )


@dataclass
class TriagePage:
    rows: list[Claim]
    next_cursor: str
    is_first: bool
    total: int
    total_exact: bool


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def _cursor(cursor: str, o: str) -> tuple | None:
    """Decode a cursor for ordering `o` into (key, id), or None if it is not one.

    Cursors come from URLs: a key of the wrong type would crash the query.
    """
    values = _decode(cursor)
    if values is None:
        return None
    key, pk = values
    if type(pk) is not int or not 0 < pk <= MAX_ID:
        return None
    if o == RELEVANCE:
        ok = type(key) in (int, float)
    elif ORDERINGS[o][1] == "updated_at":
        try:
            key = datetime.fromisoformat(key) if isinstance(key, str) else None
        except ValueError:
            key = None
        ok = key is not None and key.tzinfo is not None
    else:
        ok = type(key) is int and 0 <= key <= MAX_ID
    return (key, pk) if ok else None


def _keyset(qs: QuerySet, filters: TriageFilters) -> QuerySet:
    """Order by the chosen key then id, both the same direction, and start after the cursor.

    One direction for both keys lets the database compare the row value `(key, id)` against
    the cursor with a single index range scan, however deep the page.
    """
    if filters.o == RELEVANCE:
        # ts_rank is a float4 whose text form does not read back as the same number, so the
        # cursor compares a float8 copy: equal ranks must compare equal across pages.
        qs = qs.annotate(rank_key=Cast("rank", FloatField())).order_by("-rank_key", "-id")
        values = _cursor(filters.after, filters.o) if filters.after else None
        if values:
            # Relevance is computed, not indexed: the cursor is a plain comparison.
            rank, pk = values
            qs = qs.filter(Q(rank_key__lt=rank) | Q(rank_key=rank, id__lt=pk))
        return qs
    _, name, column, desc = ORDERINGS[filters.o]
    qs = qs.order_by(f"-{name}", "-id") if desc else qs.order_by(name, "id")
    values = _cursor(filters.after, filters.o) if filters.after else None
    if values:
        key, pk = values
        if name == "updated_at":
            key = connection.ops.adapt_datetimefield_value(key)
        op = "<" if desc else ">"
        table = Claim._meta.db_table
        condition = RawSQL(
            f'("{table}"."{column}", "{table}"."id") {op} (%s, %s)',
            (key, pk),
            output_field=BooleanField(),
        )
        qs = qs.filter(condition)
    return qs


def triage_page(filters: TriageFilters, user, *, size: int = PAGE_SIZE) -> TriagePage:
    """Return one page of the queue and the cursor of the next one."""
    base = triage_queryset(filters, user)
    if filters.q and filters.o != RELEVANCE and is_postgres(base):
        # Ids first: only sort keys and the search vector are read, from the
        # claim_queue_search index (claims migration 0010), then the page's rows by id.
        ids = list(_keyset(base, filters).values_list("pk", flat=True)[: size + 1])
        by_id = {claim.pk: claim for claim in base.filter(pk__in=ids)}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        rows = list(_keyset(base, filters)[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = last.rank_key if filters.o == RELEVANCE else getattr(last, ORDERINGS[filters.o][1])
        next_cursor = _encode([key, last.pk])
    total, exact = search_total(base)
    return TriagePage(rows, next_cursor, not filters.after, total, exact)


def search_total(qs: QuerySet) -> tuple[int, bool]:
    """Count the queue cheaply (estimate on PostgreSQL), without the row annotations."""
    return search.estimated_count(qs.values("pk"))
