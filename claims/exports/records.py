"""Export records built in Python from model instances: the path on SQLite and for ClaimReview.

Generated from `schema.RECORD`: each field's value is read along its model path and
rendered by its kind; rules are evaluated over Python values.

- **full** records come from model instances with prefetches *per chunk*
  (`iterator(chunk_size=…)`), plus one query per chunk for the neighbouring sentences and
  one per historical table for the change counts: the number of queries grows with the
  number of chunks, never with the number of claims.
- **plain** records read `schema.plain_paths()` with `values_list` through a server-side
  cursor on PostgreSQL: no model instances.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from itertools import batched
from operator import itemgetter

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Count as CountRows
from django.db.models import Prefetch, Q, QuerySet

from claims.exports.schema import (
    DETAIL,
    HISTORY_CHANGES,
    RATING_SUMMARY,
    Changes,
    Constant,
    Family,
    Field,
    Items,
    List,
    Object,
    Summary,
    plain_paths,
    record_fields,
)
from claims.models import Claim, ClaimKind, Rating
from families.models import FamilyMember
from families.querysets import EXPORT_FACTS
from sources.models import article_body_fields

CHUNK_SIZE = 2000
PLAIN_CHUNK_SIZE = 5000


def getter(path: str) -> Callable[[object], object]:
    """Read a model path ("article__publisher__name") from an instance; None past a null
    (or a missing reverse one-to-one row)."""
    names = path.split("__")

    def get(obj):
        for name in names:
            if obj is None:
                return None
            try:
                obj = getattr(obj, name)
            except ObjectDoesNotExist:  # a reverse one-to-one with no row (evidence's archive)
                return None
        return obj

    return get


def joined(path: str) -> str:
    return path.rsplit("__", 1)[0] if "__" in path else ""


# --- Items: corroborations, ratings, notes ----------------------------------------------------


def related_name(items: Items) -> str:
    """The claim's accessor of the items (its `claim` foreign key's related name)."""
    return items.model._meta.get_field("claim").remote_field.related_name


def items_prefetch(items: Items, visible: Mapping[type, Q] | None = None) -> Prefetch:
    """The prefetch of a claim's items; `visible` ({model: filter}) keeps only what the
    reader may see (desk.blind.visibility_filters)."""
    relations = sorted({joined(f.path) for f in items.fields} - {""})
    queryset = items.model.objects.select_related(*relations).order_by("id")
    if visible and items.model in visible:
        queryset = queryset.filter(visible[items.model])
    return Prefetch(related_name(items), queryset=queryset)


def _sort_key(items: Items) -> Callable:
    getters = [getter(path) for path in items.order]

    def key(item):
        return tuple("" if (value := get(item)) is None else value for get in getters)

    return key


def item_records(items: Items, instances) -> list[dict]:
    """The records of `instances` in the items' order (text by code point, as in SQL)."""
    fields = [(f.name, f.kind.python, getter(f.path)) for f in items.fields]
    return [
        {name: render(get(item)) for name, render, get in fields}
        for item in sorted(instances, key=_sort_key(items))
    ]


def count_items(counts: Mapping, records: list[dict]) -> dict[str, int]:
    """Evaluate `counts` (name: schema.Count) over item records."""
    return {
        name: len(records)
        if count.where is None
        else sum(1 for r in records if count.where.evaluate(r))
        for name, count in counts.items()
    }


def summary_record(summary: Summary, instances) -> dict:
    """The summary object of the items (the ratings summary of a claim's ratings)."""
    records = item_records(summary.items, instances)
    return rules_record(summary.fields, count_items(summary.counts, records), records)


def rules_record(members, env: Mapping[str, object], items: list[dict] | None = None) -> dict:
    """The object of `members` — rules (`Computed`) over `env`, objects of them, and the
    `items` where a `List` stands (a summary's)."""
    out = {}
    for member in members:
        if isinstance(member, List):
            out[member.name] = items
        elif isinstance(member, Object):
            out[member.name] = rules_record(member.fields, env, items)
        else:
            out[member.name] = member.kind.python(member.rule.evaluate(env))
    return out


def ratings_summary(ratings: list[Rating]) -> dict:
    """Each reviewer's confidence and how far the reviewers agree (`schema.RATING_SUMMARY`)."""
    return summary_record(RATING_SUMMARY, ratings)


# --- Full records ----------------------------------------------------------------------------


def full_queryset(
    queryset: QuerySet, *, include_notes: bool = True, visible: Mapping[type, Q] | None = None
) -> QuerySet:
    """Add the joins and per-chunk prefetches a full record needs (`visible`: see
    `items_prefetch`)."""
    relations, prefetches = set(), []
    for member in record_fields("full"):
        if isinstance(member, Field) and "__" in member.path:
            relations.add(joined(member.path))
        elif isinstance(member, Object) and member.path:
            relations |= {joined(f"{member.path}__{f.path}") for f in member.fields}
        elif isinstance(member, List | Summary) and not _left_out(member, include_notes):
            prefetches.append(items_prefetch(member.items, visible))
    # Each claim gets its own copy of the article: leave the article's texts in the database.
    return (
        queryset.select_related(*sorted(relations))
        .defer(*article_body_fields("article__"))
        .prefetch_related(*prefetches)
    )


def neighbour_sentences(claims: list[Claim]) -> dict[int, tuple[str | None, str | None]]:
    """Return {claim id: (text before, text after)} from the neighbouring claims of each article.

    One query for any number of claims: a window over the current claims (page chrome and
    retired claims excluded) of the articles concerned, kept only for the claims asked about.
    """
    if not claims:
        return {}
    ids = [c.pk for c in claims]
    article_ids = sorted({c.article_id for c in claims})
    qn = connection.ops.quote_name
    table = qn(Claim._meta.db_table)
    sql = (
        "SELECT id, prev_text, next_text FROM ("
        f" SELECT id, LAG(text) OVER w AS prev_text, LEAD(text) OVER w AS next_text FROM {table}"
        f" WHERE article_id IN ({', '.join(['%s'] * len(article_ids))})"
        " AND kind <> %s AND NOT retired"
        f" WINDOW w AS (PARTITION BY article_id ORDER BY {qn('start')}, id)"
        f") neighbours WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*article_ids, ClaimKind.CHROME, *ids])
        return {pk: (before, after) for pk, before, after in cursor.fetchall()}


def history_counts(claim_ids: list[int]) -> dict[int, int]:
    """Return {claim id: number of recorded changes} over the claim and what is attached to it.

    One grouped query per historical table (claim, corroboration, rating, note) — the same
    records the claim page's history shows.
    """
    counts: Counter[int] = Counter()
    if not claim_ids:
        return counts
    for model, key in HISTORY_CHANGES.tables:
        rows = (
            model.history.model.objects.filter(**{f"{key}__in": claim_ids})
            .order_by()
            .values_list(key)
            .annotate(n=CountRows("history_id"))
        )
        for claim_id, n in rows:
            counts[claim_id] += n
    return counts


def family_facts(claim_ids: list[int]) -> dict[int, dict[str, object]]:
    """{claim id: its family's facts (`EXPORT_FACTS`)} for the claims that are in a family (one
    query)."""
    if not claim_ids:
        return {}
    rows = FamilyMember.objects.export_facts().filter(claim_id__in=claim_ids)
    return {row[0]: dict(zip(EXPORT_FACTS, row, strict=True)) for row in rows}


def _left_out(member, include_notes: bool) -> bool:
    return isinstance(member, List) and member.optional and not include_notes


def record_builder(
    detail: str, *, read: Callable[[str], Callable] = getter, include_notes: bool = True
) -> Callable[..., dict]:
    """A function (source, context, changes, family) → the `detail` record of one claim.

    `read(path)` gives the function reading a model path from the source (a claim with its
    relations prefetched, by default); `context` is (before, after), `changes` the number
    of recorded changes and `family` the claim's family facts (`family_facts`; None: in no
    family) — full records only.
    """
    steps = [
        _member_value(member, detail, read)
        for member in record_fields(detail)
        if not _left_out(member, include_notes)
    ]

    def build(source, context=(None, None), changes=0, family=None) -> dict:
        return {name: value(source, context, changes, family) for name, value in steps}

    return build


def _member_value(member, detail: str, read: Callable[[str], Callable]):
    """(name, function (source, context, changes, family) → the member's value)."""
    name = member.name
    if isinstance(member, Constant):
        constant = detail if member.value is DETAIL else member.value
        return name, lambda *_: constant
    if isinstance(member, Field):
        render, get = member.kind.python, read(member.path)
        return name, lambda source, *_: render(get(source))
    if isinstance(member, Object) and member.path:
        subs = [(f.name, f.kind.python, read(f"{member.path}__{f.path}")) for f in member.fields]
        return name, lambda source, *_: {sub: render(get(source)) for sub, render, get in subs}
    if isinstance(member, Object):  # the neighbouring sentences, (before, after)
        subs = [(f.name, f.kind.python) for f in member.fields]
        return name, lambda source, context, *_: {
            sub: render(value) for (sub, render), value in zip(subs, context, strict=True)
        }
    if isinstance(member, Summary):
        accessor = related_name(member.items)
        return name, lambda source, *_: summary_record(member, getattr(source, accessor).all())
    if isinstance(member, List):
        accessor = related_name(member.items)
        return name, lambda source, *_: item_records(member.items, getattr(source, accessor).all())
    if isinstance(member, Changes):
        return name, lambda source, context, changes, _: changes
    if isinstance(member, Family):
        own = [(path, read(path)) for path in member.claim_paths]

        def family(source, context, changes, facts):
            if facts is None:
                return None
            env = {**facts, **{path: get(source) for path, get in own}}
            return rules_record(member.fields, env)

        return name, family
    raise TypeError(f"no Python rendering for {member!r}")


def iter_full_claims(
    queryset: QuerySet,
    *,
    include_notes: bool = True,
    chunk_size: int = CHUNK_SIZE,
    visible: Mapping[type, Q] | None = None,
) -> Iterator[tuple[Claim, dict]]:
    """Yield (claim, full record) for every claim of `queryset`, chunk by chunk.

    Django prefetches per chunk of `iterator(chunk_size)`; batching the same number of rows
    here lets the neighbour, history and family queries run once per chunk as well. `visible` leaves
    out the ratings and notes the reader may not see (`items_prefetch`).
    """
    build = record_builder("full", include_notes=include_notes)
    rows = full_queryset(queryset, include_notes=include_notes, visible=visible).iterator(
        chunk_size=chunk_size
    )
    for chunk in batched(rows, chunk_size, strict=False):
        claims = list(chunk)
        ids = [c.pk for c in claims]
        neighbours, changes, families = (
            neighbour_sentences(claims),
            history_counts(ids),
            family_facts(ids),
        )
        for claim in claims:
            context = neighbours.get(claim.pk, (None, None))
            yield claim, build(claim, context, changes.get(claim.pk, 0), families.get(claim.pk))


def iter_full_records(
    queryset: QuerySet, *, include_notes: bool = True, visible: Mapping[type, Q] | None = None
) -> Iterator[dict]:
    """Yield the full records of `queryset` (see `iter_full_claims`)."""
    for _, record in iter_full_claims(queryset, include_notes=include_notes, visible=visible):
        yield record


# --- Plain records ---------------------------------------------------------------------------


def iter_plain_records(queryset: QuerySet, *, chunk_size: int = PLAIN_CHUNK_SIZE) -> Iterator[dict]:
    """Yield plain records: the claim's own columns and its article's, no model instances."""
    paths = plain_paths()
    index = {path: n for n, path in enumerate(paths)}
    build = record_builder("plain", read=lambda path: itemgetter(index[path]))
    for row in queryset.values_list(*paths).iterator(chunk_size=chunk_size):
        yield build(row)
