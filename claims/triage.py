"""The triage queue: filters from GET parameters, whitelisted ordering, keyset pagination.

Every view of the queue is a shareable URL (`?status=…&kind=…&q=…&o=…&after=…`). Pages are
walked with a cursor (the last row's sort key), so page 1,000 costs what page 1 costs and no
page runs COUNT(*) over the table; the total shown is the planner's estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from claims.choices import KIND_LABELS, STATUS_LABELS, credibility_label
from claims.models import Claim, ClaimKind, ClaimStatus, Corroboration, Credibility
from claims.querysets import triageable_q
from families.inheritance import VERDICT_STATUSES
from families.models import ClaimFamily, FamilyMember, FigureConflict
from sources.models import Article, Publisher, article_body_fields
from workbench import search
from workbench.http import parse_id
from workbench.paging import Keyset

PAGE_SIZE = 50
# `credibility=none`: the claims nobody has rated yet.
NOT_RATED = "none"
OPEN_STATUSES = [ClaimStatus.UNREVIEWED, ClaimStatus.IN_REVIEW]

# o= value → (label, model field, column, descending)
ORDERINGS: dict[str, tuple[str, str, str, bool]] = {
    "-score": ("Highest score first", "score", "score", True),
    "score": ("Lowest score first", "score", "score", False),
    "-updated": ("Recently changed first", "updated_at", "updated_at", True),
    "updated": ("Least recently changed first", "updated_at", "updated_at", False),
    "credibility": ("Most credible first", "credibility_sort", "credibility", False),
    "-credibility": ("Least credible first", "credibility_sort", "credibility", True),
    "-id": ("Newest claims first", "id", "id", True),
    "id": ("Oldest claims first", "id", "id", False),
}
DEFAULT_ORDERING = "-score"
# Sort keys computed per row (annotations), not columns: a claim not rated yet sorts after
# credibility 6, on every database (NULLs sort differently in PostgreSQL and SQLite).
NOT_RATED_SORT = 7
SORT_KEYS = {"credibility_sort": Coalesce("credibility", Value(NOT_RATED_SORT))}
RELEVANCE = "rank"
# A column header sorts the queue: by the first ordering, by the second when that is on.
COLUMN_ORDERINGS = {
    "claim": ("-id", "id"),
    "credibility": ("credibility", "-credibility"),
    "score": ("-score", "score"),
    "updated": ("-updated", "updated"),
}


# The queue's `evidence` filter (the API's and export_claims' too): value → what it shows.
# "changed": evidence whose source went bad since it was archived (gone, moved, changed,
# unreachable) and that no reviewer has re-checked since (evidence.Archive.rereview).
EVIDENCE_FILTERS = {
    "yes": "has evidence",
    "no": "no evidence",
    "changed": "evidence whose source changed or died",
}


@dataclass
class TriageFilters:
    """The queue's state as read from the URL; `errors` name the parameters that were ignored."""

    statuses: list[str] = field(default_factory=lambda: list(OPEN_STATUSES))
    kinds: list[str] = field(default_factory=list)
    publisher: int | None = None
    article: int | None = None
    assignee: str = ""  # "", "mine", "none", or a user id
    evidence: str = ""  # "" or a key of EVIDENCE_FILTERS
    conflicts: bool = False  # only claims a neighbour gives other figures for
    credibility: int | str | None = None  # 1–6, NOT_RATED, or None for any
    q: str = ""
    o: str = DEFAULT_ORDERING
    after: str = ""
    before: str = ""  # the page before the one starting with this cursor's row
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
            "conflicts": "yes" if self.conflicts else "",
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


@dataclass(frozen=True)
class ColumnSort:
    """A sortable column's header: the query its link opens and its `aria-sort`."""

    query: str
    aria_sort: str


def column_sorts(filters: TriageFilters) -> dict[str, ColumnSort]:
    """Each sortable column's header link, the other way round when its order is on."""
    sorts = {}
    for column, (first, other) in COLUMN_ORDERINGS.items():
        on = filters.o in (first, other)
        aria = ("descending" if ORDERINGS[filters.o][3] else "ascending") if on else "none"
        sorts[column] = ColumnSort(
            filters.querystring(o=other if filters.o == first else first), aria
        )
    return sorts


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
    credibility = None
    if params.get("credibility", "").strip() == NOT_RATED:
        credibility = NOT_RATED
    elif (credibility := _int(params, "credibility", errors)) is not None and (
        credibility not in Credibility.values
    ):
        errors.append("credibility: must be 1–6 or none (not rated yet); ignored.")
        credibility = None
    assignee = params.get("assignee", "").strip()
    if assignee not in ("", "mine", "none") and parse_id(assignee) is None:
        errors.append(f"assignee: {assignee!r} is not a user; ignored.")
        assignee = ""
    evidence = params.get("evidence", "").strip()
    if evidence not in ("", *EVIDENCE_FILTERS):
        *others, last = EVIDENCE_FILTERS
        errors.append(f"evidence: must be {', '.join(others)} or {last}; ignored.")
        evidence = ""
    conflicts = params.get("conflicts", "").strip()
    if conflicts not in ("", "yes"):
        errors.append("conflicts: must be yes; ignored.")
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
    before = params.get("before", "").strip()
    if before and _cursor(before, o) is None:
        errors.append("before: not a page of this queue; showing the first page.")
        before = ""
    if after and before:
        errors.append("after and before: a page has one of them; showing the page after.")
        before = ""
    return TriageFilters(
        statuses=statuses,
        kinds=kinds,
        publisher=_int(params, "publisher", errors),
        article=_int(params, "article", errors),
        assignee=assignee,
        evidence=evidence,
        conflicts=conflicts == "yes",
        credibility=credibility,
        q=q,
        o=o,
        after=after,
        before=before,
        errors=errors,
    )


def triage_queryset(filters: TriageFilters, user, *, selection: QuerySet | None = None) -> QuerySet:
    """Claims matching the filters, with what a queue row shows, unordered.

    `selection`: the filtered claims when the caller has them already (`triage_selection`).
    """
    evidence = Corroboration.objects.filter(claim_id=OuterRef("pk"))
    count = evidence.order_by().values("claim_id").annotate(n=Count("pk")).values("n")
    selection = triage_selection(filters, user) if selection is None else selection
    return (
        selection.select_related("article__publisher", "assignee")
        .defer(*article_body_fields("article__"))
        .annotate(
            evidence_count=Subquery(count, output_field=IntegerField()),
            # A row says when its evidence's source went bad (a verified claim: re-review).
            source_in_doubt=Exists(evidence.filter(archive__rereview=True)),
        )
    )


def triage_selection(filters: TriageFilters, user) -> QuerySet:
    """Claims matching the filters (a search ranks them when best match is asked for), with
    nothing else read: the queue's rows add what they show (`triage_queryset`)."""
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
    elif filters.evidence == "changed":
        qs = qs.filter(Exists(evidence.filter(archive__rereview=True)))
    if filters.conflicts:
        qs = qs.filter(Exists(FigureConflict.objects.filter(claim_id=OuterRef("pk"))))
    if filters.credibility == NOT_RATED:
        qs = qs.filter(credibility__isnull=True)
    elif filters.credibility:
        qs = qs.filter(credibility=filters.credibility)
    return search.search(qs, filters.q, rank=filters.o == RELEVANCE)


FAMILY_OUTLETS_SEPARATOR = "\n"
# What a queue row shows (templates/jinja2/claims/queue_rows.html), the only fields a page
# reads of its claims, their articles, publishers and assignees (`str(user)` is the full
# name or the username): a page of 50 rows builds 150 model instances, and every other
# column (the articles' and publishers' JSON fields above all) is decoding for nothing.
QUEUE_ROW_FIELDS = (
    *("text", "kind", "status", "credibility", "score", "speaker", "version", "updated_at"),
    *("article__title", "article__publisher__name"),
    *("assignee__username", "assignee__first_name", "assignee__last_name"),
)


def family_rows(qs: QuerySet, selection: QuerySet) -> QuerySet:
    """One row per claim family: keep a claim only when no member of its family that matches
    the filters (`selection`) scores higher (or as high, with a lower id); `family_id` is
    annotated (None: in no family), and `with_family_facts` adds what a family row shows.

    A claim in no family is its own row. The test is a correlated NOT EXISTS on the indexed
    family id (families_familymember.family_id), so a page walks the queue's own index and
    costs a few index look-ups a row, whatever the number of claims.
    """
    better = selection.filter(family_member__family_id=OuterRef("family_id")).filter(
        Q(score__gt=OuterRef("score")) | Q(score=OuterRef("score"), pk__lt=OuterRef("pk"))
    )
    return with_family_id(qs).exclude(Exists(better))


def with_family_id(qs: QuerySet) -> QuerySet:
    """Annotate each claim's `family_id` (None: in no family)."""
    return (
        qs
        if "family_id" in qs.query.annotations
        else qs.annotate(family_id=F("family_member__family_id"))
    )


def with_family_facts(rows: list[Claim]) -> None:
    """Set on each row what its family's row shows: `family_size` (its current members),
    `family_outlets` (their outlets' names), and, when the representative is another claim
    with a verdict, `checked_by` (its id) and `checked_status`. One query for the page's
    families, none when no row is in one: the page's own query stays small to plan."""
    for row in rows:
        row.family_size = row.family_outlets = row.checked_by = row.checked_status = None
    families = {row.family_id for row in rows if row.family_id is not None}
    if not families:
        return
    current = triageable_q("members__claim__")
    facts = {
        pk: (size, names, representative, status)
        for pk, size, names, representative, status in ClaimFamily.objects.filter(pk__in=families)
        .annotate(
            size=FamilyMember.objects.family_size(OuterRef("pk")),
            names=StringAgg(
                "members__claim__article__publisher__name",
                delimiter=Value(FAMILY_OUTLETS_SEPARATOR),
                filter=current,
            ),
        )
        .values_list("pk", "size", "names", "representative_id", "representative__status")
    }
    for row in rows:
        if row.family_id not in facts:
            continue
        size, names, representative, status = facts[row.family_id]
        row.family_size, row.family_outlets = size, names
        # "Already checked": the representative (another claim) has a verdict.
        if representative != row.pk and status in VERDICT_STATUSES:
            row.checked_by, row.checked_status = representative, status


def family_outlets(names: str | None) -> list[str]:
    """The distinct outlet names of a family row's `family_outlets`, sorted."""
    return sorted({n for n in (names or "").split(FAMILY_OUTLETS_SEPARATOR) if n})


def describe_filters(filters, user) -> list[tuple[str, str]]:
    """The filter in words, e.g. [("Status", "Verified, Refuted"), ("Publisher", "Xinhua")]:
    above the queue's rows and in the report's title. A query for each of publisher, article
    and assignee, when they are filtered on."""
    every = set(filters.statuses) == set(ClaimStatus.values)
    parts = [("Status", "all" if every else ", ".join(STATUS_LABELS[s] for s in filters.statuses))]
    if filters.kinds:
        parts.append(("Kind", ", ".join(KIND_LABELS[k] for k in filters.kinds)))
    if filters.publisher:
        name = Publisher.objects.filter(pk=filters.publisher).values_list("name", flat=True)
        parts.append(("Publisher", next(iter(name), f"#{filters.publisher} (unknown)")))
    if filters.article:
        title = Article.objects.filter(pk=filters.article).values_list("title", flat=True)
        parts.append(("Article", f"#{filters.article} {next(iter(title), '(unknown)')}"))
    if filters.assignee == "mine":
        parts.append(("Assignee", f"{user.get_username()} (me)"))
    elif filters.assignee == "none":
        parts.append(("Assignee", "nobody"))
    elif filters.assignee:
        name = (
            get_user_model()
            .objects.filter(pk=int(filters.assignee))
            .values_list("username", flat=True)
        )
        parts.append(("Assignee", next(iter(name), f"#{filters.assignee}")))
    if filters.evidence:
        parts.append(("Evidence", EVIDENCE_FILTERS[filters.evidence]))
    if filters.conflicts:
        parts.append(("Conflicts", "other claims give other figures"))
    if filters.credibility:
        rated = None if filters.credibility == NOT_RATED else filters.credibility
        parts.append(("Credibility", credibility_label(rated)))
    if filters.q:
        parts.append(("Search", f"“{filters.q}”"))
    return parts


@dataclass
class TriagePage:
    rows: list[Claim]
    next_cursor: str
    is_first: bool
    total: int
    total_exact: bool
    prev_cursor: str = ""  # the page before this one (`before=`), none on the first


def keyset(o: str) -> Keyset:
    """The keyset that walks the queue in ordering `o` (an ORDERINGS key or RELEVANCE)."""
    if o == RELEVANCE:
        # The search's float8 `rank` (workbench/search.py). Relevance is computed, not
        # indexed: the cursor is a plain comparison.
        return Keyset(RELEVANCE, descending=True, kind=float, computed=True)
    _, name, _, desc = ORDERINGS[o]
    kind = datetime if name == "updated_at" else int
    return Keyset(name, descending=desc, kind=kind, computed=name in SORT_KEYS)


def with_sort_key(qs: QuerySet, o: str) -> QuerySet:
    """Annotate the sort key of ordering `o` when it is computed (`SORT_KEYS`)."""
    name = ORDERINGS.get(o, (None, None))[1]
    return qs.annotate(**{name: SORT_KEYS[name]}) if name in SORT_KEYS else qs


def _cursor(cursor: str, o: str) -> tuple | None:
    """Decode a cursor for ordering `o` into (key, id), or None if it is not one."""
    return keyset(o).decode(cursor)


def _walk(filters: TriageFilters) -> tuple[Keyset, tuple | None]:
    """The keyset the page is read in and where it starts: after the `after` cursor, or
    backwards from the `before` one (workbench/paging.py)."""
    pages = keyset(filters.o)
    if filters.before:
        return pages.reversed(), _cursor(filters.before, filters.o)
    return pages, _cursor(filters.after, filters.o) if filters.after else None


def _ordered(qs: QuerySet, filters: TriageFilters) -> QuerySet:
    """Order by the chosen key then id and start at the cursor (see `_walk`)."""
    pages, start = _walk(filters)
    return pages.after(pages.ordered(qs), start)


def _family_rows_in_order(ordered: QuerySet, selection: QuerySet, want: int) -> list[int]:
    """The first `want` ids of `ordered` that are family rows (`family_rows`), in its order.

    For an order that is a sort, not an index walk (best match: every match is ranked, then
    sorted), the family test in the same query runs on every match before the sort; here the
    matches are ranked first and only the best ones tested, a few times `want` at a time.
    """
    found: list[int] = []
    start, step = 0, want * 4
    while len(found) < want:
        chunk = list(ordered.values_list("pk", flat=True)[start : start + step])
        kept = set(
            family_rows(Claim.objects.filter(pk__in=chunk), selection).values_list("pk", flat=True)
        )
        found += [pk for pk in chunk if pk in kept]
        if len(chunk) < step:
            break
        start, step = start + step, step * 4
    return found[:want]


def triage_page(
    filters: TriageFilters, user, *, size: int = PAGE_SIZE, rows_only: tuple[str, ...] = ()
) -> TriagePage:
    """Return one page of the queue and the cursor of the next one.

    `rows_only`: read only these fields of the rows (with the sort key), and no total — for a
    caller that builds its own rows from the ids (the API's records)."""
    selection = triage_selection(filters, user)
    if rows_only:
        key = ORDERINGS.get(filters.o, (None, "id"))[1]
        fields = {"id", *rows_only, *([key] if key not in SORT_KEYS else [])}
        shown = base = with_sort_key(selection.only(*fields), filters.o)
    else:
        rows_of = triage_queryset(filters, user, selection=selection).only(*QUEUE_ROW_FIELDS)
        shown = with_sort_key(with_family_id(rows_of), filters.o)
        base = family_rows(shown, selection)
    # Ids first, then the page's rows by id: the ids query reads only the claims (sort keys,
    # the family test, the search vector: in queue order from the claim_queue_search index,
    # claims migration 0010; by best match, every match's id and rank, not its whole row with
    # its article, to sort), and neither query has both the family test and the row's four
    # joins and two sub-selects to plan (at 1M claims, PostgreSQL planned the one query in
    # 3.3 ms, the two in 2.4 ms; the page's whole read took 11 ms instead of 16).
    if filters.o == RELEVANCE and not rows_only:
        ids = _family_rows_in_order(_ordered(selection, filters), selection, size + 1)
    else:
        ids = list(_ordered(base, filters).values_list("pk", flat=True)[: size + 1])
    by_id = {claim.pk: claim for claim in shown.filter(pk__in=ids).order_by()}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    pages = keyset(filters.o)
    if filters.before:
        page = pages.cut_before(rows, size=size)
    else:
        page = pages.cut(rows, _walk(filters)[1], size=size)
    next_cursor = pages.encode(page.next_start) if page.next_start else ""
    before = pages.start_before(page)
    if not rows_only:
        with_family_facts(page.rows)
    # The claims the filters match (a family counts its matching members).
    total, exact = (0, False) if rows_only else search_total(selection)
    return TriagePage(
        page.rows,
        next_cursor,
        page.is_first,
        total,
        exact,
        prev_cursor=pages.encode(before) if before else "",
    )


def search_total(qs: QuerySet) -> tuple[int, bool]:
    """Count the queue cheaply (estimate on PostgreSQL), without the row annotations."""
    return search.estimated_count(qs.values("pk"))
