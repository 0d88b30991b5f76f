"""Find claim families in the database: at import (`families_group_new`) and for all claims.

Matching is plain Python (sources/ingest/statements.py); this module reads and writes rows.

`families_group_all()` (the `group_claim_families` command) works in sets, never one claim at
a time: signatures of claims that lack one are written in batches; candidate pairs come from
the database sorted by each indexed column (exact key, then every band), streamed, so memory
holds one bucket at a time and the pairs; the pairs are verified with the texts of their
claims loaded in batches; union-find makes the families. `families_group_new(claim_ids)`
looks up stored signatures sharing a value with the new claims' (an index look-up per
column), so an import costs what its claims cost, not what the database holds.

Page chrome and retired claims are left out; a claim a lead placed (`HowJoined.LEAD`: merged
in or split off by hand) is never moved by the machine, nor joined by it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise

from django.db import transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_update_with_history

from claims.choices import ClaimKind
from claims.models import Claim
from families.models import (
    BAND_FIELDS,
    ClaimFamily,
    ClaimSignature,
    FamilyMember,
    FigureConflict,
    HowJoined,
)
from sources.ingest.statements import (
    MAX_BUCKET,
    Match,
    Signature,
    Statement,
    bucket_pairs,
    candidate_pairs_with,
    conflicting_figures,
    groups,
    signature,
    verified,
)
from sources.ingest.syndication import Item, UnionFind, origin_key
from workbench.bulk import bulk_insert_with_history

BATCH = 5000


@dataclass(frozen=True, slots=True)
class GroupStats:
    families: int
    members: int
    changed: int


def _chunks[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _groupable():
    return Claim.objects.filter(retired=False).exclude(kind=ClaimKind.CHROME)


def _lead_placed() -> set[int]:
    return set(FamilyMember.objects.filter(how=HowJoined.LEAD).values_list("claim_id", flat=True))


def signatures_fill(claim_ids: Iterable[int] | None = None) -> int:
    """Write the signatures of claims that have none (these, or all); return how many."""
    written = 0
    if claim_ids is None:
        last = 0
        while True:
            rows = list(
                _groupable()
                .filter(pk__gt=last, signature__isnull=True)
                .order_by("pk")
                .values_list("pk", "text")[:BATCH]
            )
            if not rows:
                return written
            written += _signatures_write(rows)
            last = rows[-1][0]
    for chunk in _chunks(sorted(set(claim_ids)), BATCH):
        rows = list(
            _groupable().filter(pk__in=chunk, signature__isnull=True).values_list("pk", "text")
        )
        written += _signatures_write(rows)
    return written


def _signature_row(pk: int, text: str) -> ClaimSignature:
    sig = signature(text)
    bands = dict(zip(BAND_FIELDS, sig.bands, strict=False))
    return ClaimSignature(claim_id=pk, exact=sig.exact, **bands)


def _signatures_write(rows: Sequence[tuple[int, str]]) -> int:
    # Derived from the claim's text, which never changes: no history, and a row another
    # import wrote in the meantime is the same row.
    ClaimSignature.objects.bulk_create(
        [_signature_row(pk, text) for pk, text in rows], batch_size=1000, ignore_conflicts=True
    )
    return len(rows)


def _statements(ids: Iterable[int]) -> dict[int, Statement]:
    found = {}
    for chunk in _chunks(ids, BATCH):
        rows = Claim.objects.filter(pk__in=chunk).values_list("pk", "text", "article_id")
        found.update({pk: Statement(pk, text, article) for pk, text, article in rows})
    return found


def _compared_values(column: str, among: set | None = None):
    """The values of a signature column (of `among`, or all) whose bucket is compared: held
    by two signatures or more, and for a band by at most MAX_BUCKET (a boilerplate band value
    pairs nobody: reading its hundreds of rows per import was most of an import's look-up).
    Counted on the column's index, no row read; a subquery of values."""
    signatures = ClaimSignature.objects.filter(**{f"{column}__isnull": False})
    if among is not None:
        signatures = signatures.filter(**{f"{column}__in": among})
    return (
        signatures.values(column)
        .annotate(n=Count("claim"))
        .filter(n__gt=1, n__lte=10**9 if column == "exact" else MAX_BUCKET)
        .values_list(column, flat=True)
    )


def _streamed_buckets(column: str, excluded: set[int]) -> Iterator[list[tuple[int, tuple]]]:
    """The claims sharing each value of one signature column, one bucket at a time, each
    member as (claim id, its band values)."""
    exact = column == "exact"
    rows = (
        ClaimSignature.objects.filter(**{f"{column}__in": _compared_values(column)})
        .filter(claim__retired=False)
        .exclude(claim__kind=ClaimKind.CHROME)
        .order_by(column, "claim_id")
        .values_list(column, "claim_id", *(() if exact else BAND_FIELDS))
    )
    current, bucket = None, []
    for value, pk, *bands in rows.iterator(chunk_size=BATCH):
        if pk in excluded:
            continue
        if value != current:
            if len(bucket) > 1:
                yield bucket
            current, bucket = value, []
        bucket.append((pk, tuple(bands)))
    if len(bucket) > 1:
        yield bucket


def _all_pairs(excluded: set[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for bucket in _streamed_buckets("exact", excluded):
        # One normal form: a chain links the whole bucket, however large.
        pairs.update(pairwise(pk for pk, _ in bucket))
    for column in BAND_FIELDS:
        own = BAND_FIELDS.index(column)
        pairs |= bucket_pairs((own, bucket) for bucket in _streamed_buckets(column, excluded))
    return pairs


def _verify(
    pairs: set[tuple[int, int]],
    joined: UnionFind | None = None,
    conflicts: list[FigureConflict] | None = None,
) -> dict[tuple[int, int], Match]:
    """Verify pairs in batches of claims, so the texts held stay bounded.

    `conflicts` collects the pairs of other articles that do not match and give a figure
    differently (`conflicting_figures`), both ways round.
    """
    found: dict[tuple[int, int], Match] = {}
    joined = joined or UnionFind()
    ordered = sorted(pairs)
    for chunk in _chunks(ordered, BATCH * 4):
        statements = _statements({x for pair in chunk for x in pair})
        known = [p for p in chunk if p[0] in statements and p[1] in statements]
        matched = verified(statements, known, joined=joined)
        found.update(matched)
        if conflicts is None:
            continue
        for a, b in known:
            sa, sb = statements[a], statements[b]
            if (a, b) in matched or sa.article == sb.article:
                continue
            for c in conflicting_figures(sa.text, sb.text):
                conflicts.append(_conflict(a, b, c.kind, c.ours.text, c.theirs.text))
                conflicts.append(_conflict(b, a, c.kind, c.theirs.text, c.ours.text))
    return found


def _conflict(claim: int, other: int, kind: str, ours: str, theirs: str) -> FigureConflict:
    return FigureConflict(
        claim_id=claim, other_id=other, kind=kind[:20], ours=ours[:60], theirs=theirs[:60]
    )


def _conflicts_write(conflicts: list[FigureConflict], *, claim_ids: set[int] | None) -> None:
    """Store the conflicts found: all of them (`claim_ids` None), or anew for these claims."""
    # Derived from the texts, like signatures: no history.
    stale = FigureConflict.objects.all()
    if claim_ids is not None:
        stale = stale.filter(Q(claim_id__in=claim_ids) | Q(other_id__in=claim_ids))
    stale.delete()
    FigureConflict.objects.bulk_create(conflicts, batch_size=1000, ignore_conflicts=True)


def families_group_all(*, reason: str = "Claim families recomputed") -> GroupStats:
    """Recompute every family the machine made from all claims; a lead's placements stay."""
    with transaction.atomic():
        signatures_fill()
        lead = _lead_placed()
        conflicts: list[FigureConflict] = []
        found = groups(_verify(_all_pairs(lead), conflicts=conflicts))
        changed = _write_groups(found, reason=reason, drop_others=True)
        _conflicts_write(conflicts, claim_ids=None)
    return GroupStats(len(found), sum(len(g) for g in found), changed)


def families_group_new(*, claim_ids: Iterable[int], reason: str = "Claim family at import") -> int:
    """Place new claims in families, with the stored claims they match; return how many joined."""
    new = set(claim_ids)
    if not new:
        return 0
    with transaction.atomic():
        signatures_fill(new)
        lead = _lead_placed()
        # Rows, not instances: an import reads hundreds of thousands of stored signatures.
        columns = ("claim_id", "exact", *BAND_FIELDS)
        mine = {
            row[0]: row
            for row in ClaimSignature.objects.filter(claim_id__in=new).values_list(*columns)
            if row[0] not in lead
        }
        # (band, value) buckets not compared (over MAX_BUCKET, or one claim): rows not read.
        # Counted once a column for all the new claims' values (one query each).
        not_compared: set[tuple[int, int]] = set()
        for band, column in enumerate(BAND_FIELDS):
            values = {row[band + 2] for row in mine.values()} - {None}
            compared = set(_compared_values(column, values)) if values else values
            not_compared |= {(band, v) for v in values - compared}
        stored: dict[int, tuple] = {}
        for chunk in _chunks(list(mine.values()), 500):
            condition = Q(exact__in={row[1] for row in chunk})
            for band, column in enumerate(BAND_FIELDS):
                compared = {row[band + 2] for row in chunk} - {None}
                compared = {v for v in compared if (band, v) not in not_compared}
                if compared:
                    condition |= Q(**{f"{column}__in": compared})
            rows = (
                ClaimSignature.objects.filter(condition)
                .exclude(claim_id__in=new | lead)
                .filter(claim__retired=False)
                .exclude(claim__kind=ClaimKind.CHROME)
                .values_list(*columns)
            )
            stored.update({row[0]: row for row in rows})
        sigs = {pk: _as_signature(row) for pk, row in (mine | stored).items()}
        pairs = candidate_pairs_with(sigs, new, not_compared)
        # Stored claims already in one family need not be compared through each other.
        joined = UnionFind()
        family_of = FamilyMember.objects.filter(claim_id__in=stored).values_list(
            "claim_id", "family_id"
        )
        first_of: dict[int, int] = {}
        for pk, family in family_of:
            joined.union(first_of.setdefault(family, pk), pk)
        conflicts: list[FigureConflict] = []
        found = groups(_verify(pairs, joined, conflicts))
        found = _with_families_of(found)
        _write_groups(found, reason=reason, drop_others=False)
        _conflicts_write(conflicts, claim_ids=new)
    return sum(1 for g in found for pk in g if pk in new)


def _as_signature(row: tuple) -> Signature:
    """A signature from a (claim id, exact key, band values…) row."""
    _, exact, *bands = row
    return Signature(exact, tuple(v for v in bands if v is not None))


def _with_families_of(found: list[dict[int, Match]]) -> list[dict[int, Match]]:
    """Add to each group the other members of the families its claims are in already."""
    touched = {pk for g in found for pk in g}
    family_of = dict(
        FamilyMember.objects.filter(claim_id__in=touched).values_list("claim_id", "family_id")
    )
    if not family_of:
        return found
    rows = FamilyMember.objects.filter(family_id__in=set(family_of.values())).values_list(
        "claim_id", "family_id", "how", "similarity"
    )
    by_family: dict[int, dict[int, Match]] = defaultdict(dict)
    for pk, family, how, similarity in rows:
        by_family[family][pk] = Match(how, similarity)
    merged: list[dict[int, Match]] = []
    owner: dict[int, int] = {}  # family id -> index in merged
    for group in found:
        families = {family_of[pk] for pk in group if pk in family_of}
        into = next((owner[f] for f in families if f in owner), None)
        if into is None:
            merged.append({})
            into = len(merged) - 1
        for family in families:
            if family in owner and owner[family] != into:
                other = owner[family]
                merged[into].update(merged[other])
                merged[other] = {}
                for f, i in owner.items():
                    if i == other:
                        owner[f] = into
            owner[family] = into
            for pk, m in by_family[family].items():
                merged[into].setdefault(pk, m)
        merged[into].update(group)
    return [g for g in merged if g]


def _write_groups(found: list[dict[int, Match]], *, reason: str, drop_others: bool) -> int:
    """Make the stored families the groups found; return how many memberships changed.

    Each group keeps the family most of its members are in already (ids stay stable across
    runs); `drop_others` (a full recompute) takes the machine's members out of families no
    group holds any more.
    """
    touched = {pk for g in found for pk in g}
    current = {m.claim_id: m for m in FamilyMember.objects.filter(claim_id__in=touched)}
    new_members, moved = [], []
    used_families: set[int] = set()
    families_touched: set[int] = {m.family_id for m in current.values()}
    chosen: list[int | None] = []
    for group in found:
        votes = Counter(current[pk].family_id for pk in group if pk in current)
        family_id = next((f for f, _ in votes.most_common() if f not in used_families), None)
        if family_id is not None:
            used_families.add(family_id)
        chosen.append(family_id)
    fresh = [ClaimFamily() for family_id in chosen if family_id is None]
    for family in fresh:
        family._change_reason = reason
    bulk_insert_with_history(fresh, ClaimFamily)
    fresh_ids = iter([f.pk for f in fresh])
    for group, family_id in zip(found, chosen, strict=True):
        if family_id is None:
            family_id = next(fresh_ids)
            used_families.add(family_id)
        for pk, m in group.items():
            member = current.get(pk)
            if member is None:
                new_members.append(
                    FamilyMember(
                        family_id=family_id, claim_id=pk, how=m.how, similarity=m.similarity
                    )
                )
            elif member.how == HowJoined.LEAD:
                continue
            elif (member.family_id, member.how, member.similarity) != (
                family_id,
                m.how,
                m.similarity,
            ):
                member.family_id, member.how, member.similarity = family_id, m.how, m.similarity
                moved.append(member)
    for member in new_members:
        member._change_reason = reason
    bulk_insert_with_history(new_members, FamilyMember)
    if moved:
        bulk_update_with_history(
            moved,
            FamilyMember,
            ["family", "how", "similarity"],
            batch_size=1000,
            default_change_reason=reason,
        )
    dropped = 0
    if drop_others:
        stale = FamilyMember.objects.exclude(claim_id__in=touched).exclude(how=HowJoined.LEAD)
        for member in stale.iterator():
            families_touched.add(member.family_id)
            member._change_reason = reason
            member.delete()
            dropped += 1
    families_touched |= used_families
    representatives_refresh(families_touched, reason=reason)
    return len(new_members) + len(moved) + dropped


def representatives_refresh(family_ids: Iterable[int], *, reason: str) -> None:
    """Set each family's representative; delete families left with fewer than two members.

    The representative is the earliest claim from the origin outlet when one is known (the
    outlet its members' articles credit, or the earliest article of a syndication cluster),
    else the earliest claim ("earliest": syndication's `origin_key`, dated first).
    """
    family_ids = set(family_ids)
    rows = Claim.objects.filter(family_member__family_id__in=family_ids).values_list(
        "family_member__family_id",
        "family_member__how",
        "pk",
        "article_id",
        "article__publisher_id",
        "article__origin_id",
        "article__cluster_origin_id",
        "article__published_at",
    )
    members: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        members[row[0]].append(row[1:])
    changed = []
    families = ClaimFamily.objects.filter(pk__in=family_ids)
    for family in families:
        rows = members.get(family.pk, [])
        if len(rows) < 2 and not any(r[0] == HowJoined.LEAD for r in rows):
            for member in FamilyMember.objects.filter(family=family):
                member._change_reason = reason
                member.delete()
            family._change_reason = reason
            family.delete()
            continue
        best = representative_of(rows)
        if family.representative_id != best:
            family.representative_id = best
            changed.append(family)
    if changed:
        bulk_update_with_history(
            changed, ClaimFamily, ["representative"], batch_size=1000, default_change_reason=reason
        )


def representative_of(rows: Sequence[tuple]) -> int:
    """The claim id to represent members (how, id, article, publisher, origin, cluster, date)."""
    origins = {r[4] for r in rows if r[4] is not None}

    def key(r: tuple) -> tuple:
        _, pk, article, publisher, _, cluster_origin, published_at = r
        from_origin = publisher in origins or (
            cluster_origin is not None and cluster_origin == article
        )
        return (not from_origin, origin_key(Item(pk, (), published_at)))

    return min(rows, key=key)[1]
