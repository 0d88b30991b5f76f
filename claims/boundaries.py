"""Reviewers' fixes of claim boundaries: split, merge, move a span, create from a selection,
change the kind or the speaker — and a lead's revert of any of them.

Every fix keeps the span rule (`article.text[claim.start:claim.end] == claim.text`, for every
claim) or is refused with the field and the reason (`SpanRefused`); carries the version the
reviewer saw (`StaleEdit` when the claim changed since); records who, when and why in the
claims' history; and, when it moves boundaries, writes a `BoundaryChange` naming the records
it wrote, so that `history_revert` undoes the whole fix — a merge moved evidence, ratings and
notes too. Nothing is deleted: a claim merged away, or whose creation is undone, is retired
(out of the queue, exports, search and candidate evidence; its page and history stay).
Chrome and span changes re-sketch the article's syndication fingerprint (`article_recluster`).
"""

from __future__ import annotations

from django.db import models, transaction
from simple_history.utils import bulk_update_with_history

from claims import services
from claims.history import boundary_change_of
from claims.models import (
    BoundaryAction,
    BoundaryChange,
    Claim,
    ClaimKind,
    Corroboration,
    Note,
    Rating,
)
from claims.services import RevertRefused, StaleEdit
from sources.clustering import article_recluster
from sources.ingest.score import checkworthiness
from sources.ingest.segment import strip_span
from sources.models import Article
from workbench.models import User

__all__ = [
    "RevertRefused",
    "SpanRefused",
    "StaleEdit",
    "claim_create",
    "claim_merge",
    "claim_set_kind",
    "claim_set_span",
    "claim_split",
    "history_revert",
]

SPEAKER_MAX_LENGTH = Claim._meta.get_field("speaker").max_length
# What a merge moves from the retired claim to the kept one (and a revert moves back).
ATTACHED: dict[str, type[models.Model]] = {
    "corroboration": Corroboration,
    "rating": Rating,
    "note": Note,
}


# The inputs whose names say nothing to a reader, in words: the boundary forms' labels and
# the refusals' (`at: 412 is …` reads "split at: 412 is …").
FIELD_LABELS = {"at": "split at", "with": "merge with"}


class SpanRefused(ValueError):
    """A fix that would break the span rule, or lacks what it needs; `field` names the input
    (the message names it in words, `FIELD_LABELS`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{FIELD_LABELS.get(field, field)}: {message}")
        self.field = field


# -- Spans -----------------------------------------------------------------------------------


def _checked_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span trimmed of whitespace, or refuse one outside the text or empty."""
    size = len(text)
    for name, value in (("start", start), ("end", end)):
        if not 0 <= value <= size:
            raise SpanRefused(
                name, f"{value} is outside the article (its text runs from 0 to {size})."
            )
    if end <= start:
        raise SpanRefused("end", f"{end} is not after start ({start}): the span would be empty.")
    stripped = strip_span(text, start, end)
    if stripped[0] == stripped[1]:
        raise SpanRefused("start", f"{start}–{end} holds only whitespace: nothing to claim.")
    return stripped


def _check_free(article_id: int, start: int, end: int, *, field: str, exclude=()) -> None:
    """Refuse a span another current claim of the article already has exactly."""
    taken = (
        Claim.objects.current()
        .filter(article_id=article_id, start=start, end=end)
        .exclude(pk__in=list(exclude))
        .values_list("pk", flat=True)
        .first()
    )
    if taken is not None:
        raise SpanRefused(field, f"claim #{taken} already has exactly the span {start}–{end}.")


def _place(claim: Claim, text: str, start: int, end: int) -> None:
    """Give a claim a span, its text and the check-worthiness of that text."""
    claim.start, claim.end = start, end
    claim.text = text[start:end]
    claim.score = checkworthiness(claim.text, claim.kind, claim.speaker)


def _require_reason_over_verdict(claims: list[Claim], reason: str) -> None:
    """A verdict was given on the text as it was: moving its span needs a reason."""
    if reason.strip():
        return
    for claim in claims:
        if claim.status in services.VERDICT_STATUSES:
            raise SpanRefused(
                "reason",
                f"claim #{claim.pk} is marked {claim.get_status_display().lower()}: say why "
                "its span changes.",
            )


# -- Reading and locking ---------------------------------------------------------------------


def _article(article_id: int) -> Article:
    """Lock the article: boundary fixes of one article are made one at a time."""
    return (
        Article.objects.select_for_update()
        .only("id", "text", "fingerprint", "cluster_origin_id")
        .get(pk=article_id)
    )


def _claims(*pks: int) -> list[Claim]:
    """Lock claims in id order (two fixes locking the same pair never deadlock)."""
    found = Claim.objects.select_for_update().in_bulk(sorted(set(pks)))
    return [found[pk] for pk in pks]


def _check_current(claim: Claim, *, field: str = "claim") -> None:
    if claim.retired:
        why = f"merged into claim #{claim.merged_into_id}" if claim.merged_into_id else "undone"
        raise SpanRefused(field, f"claim #{claim.pk} was retired ({why}): fix a current one.")


def _save(claim: Claim, *, by: User | None, reason: str) -> models.Model:
    """Save a claim with a history record (version bumped); return that record."""
    claim.version += 1
    services._record(claim, by=by, reason=reason)
    claim.save()
    return claim.history.order_by("-history_id").first()


def _create(claim: Claim, *, by: User | None, reason: str) -> models.Model:
    services._record(claim, by=by, reason=reason)
    claim.save(force_insert=True)
    return claim.history.order_by("-history_id").first()


def _why(summary: str, reason: str) -> str:
    return f"{summary}: {reason.strip()}" if reason.strip() else summary


def _span(start: int, end: int) -> str:
    return f"{start}–{end}"


# -- Fixes -----------------------------------------------------------------------------------


@transaction.atomic
def claim_split(
    *, claim: Claim | int, at: int, by: User | None, version: int | None, reason: str = ""
) -> tuple[Claim, Claim]:
    """Split a claim at `at` (an offset in the article text); return (first, second part).

    The claim keeps its id, status, evidence, ratings and notes and becomes the first part;
    the second part is a new, unreviewed claim of the same kind and speaker, linked to it by
    `derived_from`. Whitespace at the cut goes to neither part.
    """
    pk = claim if isinstance(claim, int) else claim.pk
    article = _article(Claim.objects.values_list("article_id", flat=True).get(pk=pk))
    (claim,) = _claims(pk)
    services._check_version(claim, version)
    _check_current(claim)
    text = article.text
    if not claim.start < at < claim.end:
        raise SpanRefused(
            "at",
            f"{at} is not inside claim #{claim.pk} ({_span(claim.start, claim.end)}): split "
            "between its first and its last character.",
        )
    first, second = strip_span(text, claim.start, at), strip_span(text, at, claim.end)
    for name, (start, end) in (("first", first), ("second", second)):
        if start == end:
            raise SpanRefused("at", f"splitting at {at} leaves the {name} part only whitespace.")
    _require_reason_over_verdict([claim], reason)
    _check_free(article.pk, *first, field="at", exclude=[claim.pk])
    _check_free(article.pk, *second, field="at")
    part = Claim(article=article, kind=claim.kind, speaker=claim.speaker, derived_from=claim)
    _place(part, text, *second)
    part_record = _create(part, by=by, reason=_why(f"Split off claim #{claim.pk} at {at}", reason))
    _place(claim, text, *first)
    record = _save(claim, by=by, reason=_why(f"Split at {at}: second part #{part.pk}", reason))
    BoundaryChange.objects.create(
        action=BoundaryAction.SPLIT, record=record, other_record=part_record
    )
    article_recluster(article)
    return claim, part


def _neighbours(claim: Claim) -> tuple[int | None, int | None]:
    """The ids of the current claims just before and after this one in the article."""
    order = list(
        Claim.objects.current()
        .filter(article_id=claim.article_id)
        .order_by("start", "end", "pk")
        .values_list("pk", flat=True)
    )
    index = order.index(claim.pk)
    before = order[index - 1] if index > 0 else None
    after = order[index + 1] if index + 1 < len(order) else None
    return before, after


@transaction.atomic
def claim_merge(
    *,
    claim: Claim | int,
    other: Claim | int,
    by: User | None,
    version: int | None,
    other_version: int | None = None,
    reason: str = "",
) -> Claim:
    """Merge a claim with the claim just before or after it; return the claim kept.

    The kept claim is the one with the lower id; it takes the union of both spans and
    everything attached to the other (evidence, ratings, notes). A reviewer who rated both
    keeps their newer rating. The other claim is retired, `merged_into` the kept one.
    """
    pk = claim if isinstance(claim, int) else claim.pk
    other_pk = other if isinstance(other, int) else other.pk
    if pk == other_pk:
        raise SpanRefused("with", "a claim cannot be merged with itself.")
    article_ids = dict(Claim.objects.filter(pk__in=[pk, other_pk]).values_list("pk", "article_id"))
    if other_pk not in article_ids:
        raise SpanRefused("with", f"there is no claim #{other_pk}.")
    if article_ids[other_pk] != article_ids[pk]:
        raise SpanRefused(
            "with", f"claim #{other_pk} is from another article: only neighbours merge."
        )
    article = _article(article_ids[pk])
    claim, other = _claims(pk, other_pk)
    services._check_version(claim, version)
    services._check_version(other, other_version)
    _check_current(claim)
    _check_current(other, field="with")
    before, after = _neighbours(claim)
    if other.pk not in (before, after):
        around = ", ".join(f"#{n}" for n in (before, after) if n is not None) or "none"
        raise SpanRefused(
            "with",
            f"claim #{other.pk} is not next to claim #{claim.pk}: merge it with the claim "
            f"just before or after it ({around}).",
        )
    kept, gone = sorted([claim, other], key=lambda c: c.pk)
    start, end = min(kept.start, gone.start), max(kept.end, gone.end)
    _require_reason_over_verdict([kept, gone], reason)
    _check_free(article.pk, start, end, field="with", exclude=[kept.pk, gone.pk])
    why = _why(f"Merged claims #{kept.pk} and #{gone.pk}", reason)
    moved = _move_attachments(gone, kept, by=by, why=why)
    gone.retired, gone.merged_into = True, kept
    # Retired first: the union may be the other claim's own span (a claim inside it).
    gone_record = _save(gone, by=by, reason=why)
    _place(kept, article.text, start, end)
    record = _save(kept, by=by, reason=why)
    BoundaryChange.objects.create(
        action=BoundaryAction.MERGE, record=record, other_record=gone_record, moved=moved
    )
    article_recluster(article)
    return kept


def _move_attachments(source: Claim, target: Claim, *, by: User | None, why: str) -> dict:
    """Move evidence, ratings and notes between claims with history; say what moved.

    One rating per reviewer and claim: a reviewer who rated both keeps the newer rating, and
    the other is deleted (its history keeps it; a revert puts it back).
    """
    moved: dict[str, list[int]] = {"dropped_rating": []}
    on_target = {r.reviewer_id: r for r in Rating.objects.select_for_update().filter(claim=target)}
    for rating in Rating.objects.select_for_update().filter(claim=source):
        theirs = on_target.get(rating.reviewer_id)
        if theirs is None:
            continue
        older = theirs if rating.updated_at >= theirs.updated_at else rating
        rating_id = older.pk
        services._record(older, by=by, reason=_why(why, "the reviewer rated both; newer kept"))
        older.delete()
        record = Rating.history.filter(id=rating_id, history_type="-").latest("history_id")
        moved["dropped_rating"].append(record.history_id)
    for kind, model in ATTACHED.items():
        rows = list(model.objects.select_for_update().filter(claim=source))
        _move(kind, rows, target, by=by, why=why)
        moved[kind] = [row.pk for row in rows]
    return moved


def _move(kind: str, rows: list[models.Model], target: Claim, *, by: User | None, why: str) -> None:
    """Attach rows to another claim with history; versioned ones make open edit pages stale."""
    fields = ["claim"]
    if kind in services.VERSIONED:
        fields.append("version")
        for row in rows:
            row.version += 1
    for row in rows:
        row.claim = target
    bulk_update_with_history(
        rows, ATTACHED[kind], fields, default_user=by, default_change_reason=why
    )


@transaction.atomic
def claim_set_span(
    *,
    claim: Claim | int,
    start: int,
    end: int,
    by: User | None,
    version: int | None,
    reason: str = "",
) -> Claim:
    """Move a claim's span to `start`–`end` (whitespace at the ends trimmed); return it.

    Refused outside the article, empty, on another claim's exact span, or over a verdict
    without a reason. The same span again changes nothing.
    """
    pk = claim if isinstance(claim, int) else claim.pk
    article = _article(Claim.objects.values_list("article_id", flat=True).get(pk=pk))
    (claim,) = _claims(pk)
    services._check_version(claim, version)
    _check_current(claim)
    start, end = _checked_span(article.text, start, end)
    if (start, end) == (claim.start, claim.end):
        return claim
    _require_reason_over_verdict([claim], reason)
    _check_free(article.pk, start, end, field="start", exclude=[claim.pk])
    was = _span(claim.start, claim.end)
    _place(claim, article.text, start, end)
    record = _save(claim, by=by, reason=_why(f"Span {was} → {_span(start, end)}", reason))
    BoundaryChange.objects.create(action=BoundaryAction.SPAN, record=record)
    article_recluster(article)
    return claim


def _checked_kind(kind: str) -> str:
    if kind not in ClaimKind.values:
        kinds = ", ".join(ClaimKind.values)
        raise SpanRefused("kind", f"{kind!r} is not a kind of claim ({kinds}).")
    return kind


def _checked_speaker(speaker: str) -> str:
    speaker = " ".join(speaker.split())
    if len(speaker) > SPEAKER_MAX_LENGTH:
        raise SpanRefused("speaker", f"at most {SPEAKER_MAX_LENGTH} characters ({len(speaker)}).")
    return speaker


@transaction.atomic
def claim_create(
    *,
    article: Article | int,
    start: int,
    end: int,
    kind: str,
    by: User | None,
    speaker: str = "",
    reason: str = "",
) -> Claim:
    """Make a claim of any text of an article (whitespace at the ends trimmed); return it.

    It may lie inside another claim (a sub-sentence claim), but not on another claim's
    exact span. It starts unreviewed, like an imported claim.
    """
    kind = _checked_kind(kind)
    speaker = _checked_speaker(speaker)
    article = _article(article if isinstance(article, int) else article.pk)
    start, end = _checked_span(article.text, start, end)
    _check_free(article.pk, start, end, field="start")
    claim = Claim(article=article, kind=kind, speaker=speaker)
    _place(claim, article.text, start, end)
    record = _create(claim, by=by, reason=_why(f"Created from {_span(start, end)}", reason))
    BoundaryChange.objects.create(action=BoundaryAction.CREATE, record=record)
    article_recluster(article)
    return claim


@transaction.atomic
def claim_set_kind(
    *,
    claim: Claim | int,
    kind: str,
    by: User | None,
    version: int | None,
    speaker: str | None = None,
    reason: str = "",
) -> Claim:
    """Change what a claim is (statement, quote, …, chrome) and who said it; return it.

    Chrome leaves the queue, exports and search; a claim no longer chrome comes back. The
    check-worthiness score follows the new kind and speaker. `speaker=None` keeps it.
    """
    kind = _checked_kind(kind)
    pk = claim if isinstance(claim, int) else claim.pk
    article = _article(Claim.objects.values_list("article_id", flat=True).get(pk=pk))
    (claim,) = _claims(pk)
    services._check_version(claim, version)
    _check_current(claim)
    speaker = claim.speaker if speaker is None else _checked_speaker(speaker)
    if (kind, speaker) == (claim.kind, claim.speaker):
        return claim
    said = []
    if kind != claim.kind:
        said.append(f"Kind {claim.kind} → {kind}")
    if speaker != claim.speaker:
        said.append(f"Speaker {claim.speaker or '—'} → {speaker or '—'}")
    chrome_changed = ClaimKind.CHROME in (kind, claim.kind)
    claim.kind, claim.speaker = kind, speaker
    claim.score = checkworthiness(claim.text, kind, speaker)
    _save(claim, by=by, reason=_why("; ".join(said), reason))
    if chrome_changed:
        article_recluster(article)
    return claim


# -- Reverting -------------------------------------------------------------------------------


@transaction.atomic
def history_revert(*, kind: str, history_id: int, by: User | None, reason: str = "") -> object:
    """Undo one recorded change; a record of a boundary fix undoes the whole fix.

    Other changes are `services.history_revert`'s (field by field); after a claim's, the
    article is sketched again (a kind reverted to or from chrome changes its fingerprint).
    """
    if kind == "claim":
        record = (
            Claim.history.select_related("boundary_change", "boundary_change_other")
            .filter(history_id=history_id)
            .first()
        )
        change = boundary_change_of(record) if record is not None else None
        if change is not None:
            return _revert_fix(change, by=by, reason=reason)
    result = services.history_revert(kind=kind, history_id=history_id, by=by, reason=reason)
    if kind == "claim":
        article_recluster(_article(result.article_id))
    return result


def _previous(record: models.Model) -> models.Model:
    previous = record.prev_record
    if previous is None:
        raise RevertRefused("There is no earlier record to go back to.")
    return previous


def _unchanged_since(claim: Claim, record: models.Model) -> None:
    if (claim.start, claim.end) != (record.start, record.end):
        raise RevertRefused(
            f"Claim #{claim.pk}'s span changed again since "
            f"({_span(record.start, record.end)} → {_span(claim.start, claim.end)}): revert "
            "the later change first."
        )


def _free_for_revert(claim: Claim, start: int, end: int, *, exclude) -> None:
    try:
        _check_free(claim.article_id, start, end, field="span", exclude=exclude)
    except SpanRefused as exc:
        raise RevertRefused(
            f"Cannot put claim #{claim.pk} back at {_span(start, end)}: "
            + str(exc).removeprefix("span: ")
        ) from None


def _worked_on(claim: Claim, since: models.Model) -> list[str]:
    """What reviewers did to a claim after the record `since`: evidence, ratings, notes, edits."""
    done = []
    for kind, model in ATTACHED.items():
        if n := model.objects.filter(claim=claim).count():
            done.append(f"{n} {kind}{'s' if n > 1 else ''}")
    if claim.version != since.version:
        fields = {line.split(":")[0] for line in services.changes_since(claim, since.version)}
        done.append(f"changed since ({', '.join(sorted(fields))})")
    return done


def _revert_fix(change: BoundaryChange, *, by: User | None, reason: str) -> Claim:
    """Undo a boundary fix whole; return the claim it was made to (the first or kept one)."""
    why = _why(f"Reverted change #{change.record_id}", reason)
    record, other_record = change.record, change.other_record
    article = _article(Claim.objects.values_list("article_id", flat=True).get(pk=record.id))
    ids = [record.id] if other_record is None else [record.id, other_record.id]
    claims = _claims(*ids)
    claim = claims[0]
    if change.action == BoundaryAction.SPAN:
        _check_current(claim)
        _unchanged_since(claim, record)
        previous = _previous(record)
        _free_for_revert(claim, previous.start, previous.end, exclude=[claim.pk])
        _place(claim, article.text, previous.start, previous.end)
        _save(claim, by=by, reason=why)
    elif change.action == BoundaryAction.CREATE:
        if claim.retired:
            raise RevertRefused(f"This creation was undone already: claim #{claim.pk} is retired.")
        if done := _worked_on(claim, record):
            raise RevertRefused(
                f"Claim #{claim.pk} has been worked on since it was created ({'; '.join(done)}): "
                "it stays; mark it not a claim instead."
            )
        claim.retired = True
        _save(claim, by=by, reason=why)
    elif change.action == BoundaryAction.SPLIT:
        part = claims[1]
        if part.retired:
            raise RevertRefused(f"This split was undone already: claim #{part.pk} is retired.")
        _unchanged_since(claim, record)
        _unchanged_since(part, other_record)
        if done := _worked_on(part, other_record):
            raise RevertRefused(
                f"Claim #{part.pk} has been worked on since the split ({'; '.join(done)}): "
                f"merge it into claim #{claim.pk} instead, which keeps all of it."
            )
        previous = _previous(record)
        _free_for_revert(claim, previous.start, previous.end, exclude=[claim.pk, part.pk])
        part.retired, part.merged_into = True, claim
        _save(part, by=by, reason=why)
        _place(claim, article.text, previous.start, previous.end)
        _save(claim, by=by, reason=why)
    else:
        _revert_merge(change, claims, article=article, by=by, why=why)
    article_recluster(article)
    claim.refresh_from_db()
    return claim


def _revert_merge(
    change: BoundaryChange, claims: list[Claim], *, article: Article, by: User | None, why: str
) -> None:
    kept, gone = claims
    if not gone.retired or gone.merged_into_id != kept.pk:
        raise RevertRefused(f"This merge was undone already: claim #{gone.pk} is in use again.")
    _unchanged_since(kept, change.record)
    previous = _previous(change.record)
    _free_for_revert(kept, previous.start, previous.end, exclude=[kept.pk, gone.pk])
    _free_for_revert(gone, gone.start, gone.end, exclude=[kept.pk, gone.pk])
    # Kept first: its span may be the other's own span (a claim inside it).
    _place(kept, article.text, previous.start, previous.end)
    _save(kept, by=by, reason=why)
    gone.retired, gone.merged_into = False, None
    _save(gone, by=by, reason=why)
    for kind, model in ATTACHED.items():
        rows = list(
            model.objects.select_for_update().filter(claim=kept, pk__in=change.moved.get(kind, []))
        )
        _move(kind, rows, gone, by=by, why=why)
    dropped = Rating.history.filter(history_id__in=change.moved.get("dropped_rating", []))
    for record in dropped:
        rating = record.instance
        if Rating.objects.filter(claim_id=rating.claim_id, reviewer_id=rating.reviewer_id).exists():
            continue  # the reviewer rated again since: that rating stands
        services._record(rating, by=by, reason=why)
        rating.save(force_insert=True)
