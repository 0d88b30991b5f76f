"""Writes of the desk: hand-outs, their assignments, adjudications. Every change has history.

`handout_create` is set-based: the claims of the filter are read as ids, shared out in
memory and written with `bulk_create_with_history` in batches (one INSERT a batch for the
assignments and one for their history), so a hand-out of 100,000 claims is a few dozen
statements, not 200,000 saves (bench/handout.py).
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import batched

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import QueryDict
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from claims import services as claim_services
from claims.models import Claim, Rating
from claims.triage import parse_filters, triage_selection
from desk.blind import ADJUDICATE_PERM
from desk.choices import AssignmentState, Strategy
from desk.models import Adjudication, Assignment, HandOut, SavedView, SavedViewWatch
from workbench.events import announce
from workbench.history import record_change
from workbench.models import User

# Who may hand claims out: whoever may assign claims to others (claims.services).
HAND_OUT_PERM = "claims.assign_claim"
REVIEW_PERM = "claims.add_rating"
BATCH_SIZE = 5000


def _filter_query(filter: str) -> str:
    """The query string of a queue URL or of a bare query ("/claims/?status=x" → "status=x")."""
    return filter.strip().split("?", 1)[1] if "?" in filter else filter.strip().lstrip("?")


def share_out(
    claim_ids: Sequence[int],
    reviewer_ids: Sequence[int],
    *,
    strategy: str,
    overlap: int,
    load: dict[int, int] | None = None,
):
    """Yield (claim id, reviewer id) pairs: each claim to `overlap` different reviewers.

    Round-robin walks the reviewers in turn; by load gives each claim to the reviewers with
    the fewest open assignments so far (`load`, counted before, plus what this hand-out gave).
    """
    if strategy == Strategy.ROUND_ROBIN:
        n = len(reviewer_ids)
        for i, claim_id in enumerate(claim_ids):
            for k in range(overlap):
                yield claim_id, reviewer_ids[(i * overlap + k) % n]
        return
    load = load or {}
    heap = [(load.get(r, 0), position, r) for position, r in enumerate(reviewer_ids)]
    heapq.heapify(heap)
    for claim_id in claim_ids:
        chosen = [heapq.heappop(heap) for _ in range(overlap)]
        for count, position, reviewer_id in chosen:
            yield claim_id, reviewer_id
            heapq.heappush(heap, (count + 1, position, reviewer_id))


def _validate(*, by, reviewers, strategy: str, overlap: int, filters) -> None:
    if by is not None and not by.has_perm(HAND_OUT_PERM):
        raise PermissionDenied("Only a lead can hand claims out to reviewers.")
    problems = {}
    if filters.errors:
        problems["filter"] = " ".join(filters.errors)
    if not reviewers:
        problems["reviewers"] = "Choose at least one reviewer."
    elif not_reviewers := [u.get_username() for u in reviewers if not u.has_perm(REVIEW_PERM)]:
        problems["reviewers"] = f"Not reviewers (cannot rate claims): {', '.join(not_reviewers)}."
    if strategy not in Strategy.values:
        problems["strategy"] = (
            f"Unknown strategy {strategy!r}: one of {', '.join(Strategy.values)}."
        )
    if overlap < 1:
        problems["overlap"] = "Each claim needs at least one reviewer (overlap 1 or more)."
    elif reviewers and overlap > len(reviewers):
        problems["overlap"] = (
            f"Overlap {overlap} needs at least {overlap} reviewers; {len(reviewers)} chosen."
        )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def handout_create(
    *,
    filter: str,
    reviewers: Sequence[User],
    strategy: str,
    overlap: int = 1,
    blind: bool = False,
    due_on: datetime.date | None = None,
    name: str = "",
    by: User | None,
) -> HandOut:
    """Hand the claims of a queue filter out to `reviewers`, `overlap` reviewers a claim.

    The filter is the queue's (claims.triage.parse_filters; a bad parameter is refused, not
    ignored: a hand-out is not a page to glance at). Claims already handed to a reviewer in
    an open assignment of another hand-out are handed to them again all the same: the
    hand-outs are separate pieces of work. Refused as a whole (ValidationError naming each
    field) or made whole.
    """
    query = _filter_query(filter)
    filters = parse_filters(QueryDict(query))
    reviewers = sorted(set(reviewers), key=lambda u: u.pk)
    _validate(by=by, reviewers=reviewers, strategy=strategy, overlap=overlap, filters=filters)
    hand_out = HandOut(
        name=name.strip()[:200],
        filter=query,
        strategy=strategy,
        overlap=overlap,
        blind=blind,
        due_on=due_on,
        created_by=by,
    )
    record_change(hand_out, by=by, reason=f"handed out to {len(reviewers)} reviewers")
    hand_out.save()
    hand_out.reviewers.set(reviewers)
    claim_ids = list(
        triage_selection(filters, by).order_by("-score", "id").values_list("pk", flat=True)
    )
    reviewer_ids = [u.pk for u in reviewers]
    load = dict(
        Assignment.objects.filter(reviewer_id__in=reviewer_ids, state=AssignmentState.OPEN)
        .order_by()
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    given: dict[int, int] = dict.fromkeys(reviewer_ids, 0)
    pairs = share_out(claim_ids, reviewer_ids, strategy=strategy, overlap=overlap, load=load)
    reason = f"hand-out #{hand_out.pk}"
    for batch in batched(pairs, BATCH_SIZE, strict=False):
        rows = [Assignment(hand_out=hand_out, claim_id=c, reviewer_id=r) for c, r in batch]
        for _, r in batch:
            given[r] += 1
        bulk_create_with_history(
            rows, Assignment, batch_size=BATCH_SIZE, default_user=by, default_change_reason=reason
        )
    hand_out.claim_count = len(claim_ids)
    HandOut.objects.filter(pk=hand_out.pk).update(claim_count=len(claim_ids))
    for reviewer in reviewers:
        announce(
            sender=HandOut,
            type="claim.assigned",
            data={
                "hand_out": {"id": hand_out.pk, "name": str(hand_out), "blind": blind},
                "reviewer": reviewer.get_username(),
                "claim_count": given[reviewer.pk],
                "due_on": due_on.isoformat() if due_on else None,
                "by": by.get_username() if by is not None else None,
            },
        )
    return hand_out


@transaction.atomic
def assignments_complete(*, rating_id: int) -> int:
    """Mark done the open assignments of the rating's reviewer on its claim; return how many.

    Called when a reviewer saves their judgement (a rating with a proposed verdict).
    """
    rating = Rating.objects.select_related("reviewer").get(pk=rating_id)
    open_ = list(
        Assignment.objects.select_for_update().filter(
            claim_id=rating.claim_id, reviewer_id=rating.reviewer_id, state=AssignmentState.OPEN
        )
    )
    now = timezone.now()
    for assignment in open_:
        assignment.state = AssignmentState.DONE
        assignment.done_at = now
    bulk_update_with_history(
        open_,
        Assignment,
        ["state", "done_at"],
        default_user=rating.reviewer,
        default_change_reason="judgement saved",
    )
    # The claim now waits for the other reviewers of those hand-outs (My work's "waiting for
    # me"). A derived column outside the history, so a plain UPDATE.
    Assignment.objects.filter(
        hand_out_id__in=[a.hand_out_id for a in open_],
        claim_id=rating.claim_id,
        state=AssignmentState.OPEN,
        waiting_since__isnull=True,
    ).exclude(reviewer_id=rating.reviewer_id).update(waiting_since=now)
    return len(open_)


def judgements_of(claim: Claim) -> list[dict]:
    """Everyone's judgement of the claim, as it stands: one dict a reviewer, by name."""
    ratings = (
        Rating.objects.filter(claim=claim)
        .select_related("reviewer")
        .order_by("reviewer__username", "id")
    )
    return [
        {
            "reviewer": r.reviewer.get_username(),
            "confidence": r.confidence,
            "proposed_verdict": r.proposed_verdict,
            "rationale": r.rationale,
            "rated_at": r.updated_at.isoformat(),
        }
        for r in ratings
    ]


@transaction.atomic
def claim_adjudicate(*, claim: Claim, verdict: str, reason: str, by: User) -> Adjudication:
    """Set the verdict of a claim its reviewers disagree on, with the lead's reason.

    The verdict goes through the claims' verdict service (its evidence rule and history);
    the judgements decided between are kept with the adjudication, and the reviewers'
    ratings stay as they were. Refused whole if the verdict service refuses it.
    """
    if not by.has_perm(ADJUDICATE_PERM):
        raise PermissionDenied("Only a lead can adjudicate a claim.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this verdict: the reviewers disagreed."})
    judgements = judgements_of(claim)
    claim = claim_services.claim_set_status(
        claim=claim, status=verdict, reason=reason, by=by, version=None
    )
    adjudication = Adjudication(
        claim=claim, verdict=verdict, reason=reason.strip(), judgements=judgements, by=by
    )
    record_change(adjudication, by=by, reason=f"adjudicated: {verdict}")
    adjudication.save()
    announce(
        sender=Adjudication,
        type="claim.adjudicated",
        data={
            "claim": {"id": claim.pk, "status": claim.status, "version": claim.version},
            "adjudication": {"id": adjudication.pk, "verdict": verdict},
            "reviewers": [j["reviewer"] for j in judgements],
            "by": by.get_username(),
        },
    )
    return adjudication


# A saved view is a filter, not a page: the page cursor is dropped when it is saved.
CURSOR_PARAMS = ("after", "before")


def saved_view_query(filter: str) -> str:
    """The query string a saved view keeps: the queue's, without its page cursor.

    Refused (ValidationError on `query`) when the queue would report a parameter it ignored,
    so a saved view always shows what its name says.
    """
    params = QueryDict(_filter_query(filter), mutable=True)
    for name in CURSOR_PARAMS:
        params.pop(name, None)
    if errors := parse_filters(params).errors:
        raise ValidationError({"query": " ".join(errors)})
    return params.urlencode()


def saved_views_visible(user: User):
    """The saved views `user` may open: their own and the shared ones, by name."""
    return SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True)).select_related("owner")


@transaction.atomic
def saved_view_save(*, name: str, filter: str, shared: bool, by: User) -> SavedView:
    """Save a queue URL under a name (saving a name again replaces its filter and sharing)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ValidationError({"name": "At most 120 characters."})
    query = saved_view_query(filter)
    view = SavedView.objects.select_for_update().filter(owner=by, name=name).first()
    if view is None:
        view = SavedView(owner=by, name=name)
        reason = "saved"
    elif (view.query, view.shared) == (query, shared):
        return view
    else:
        reason = "saved again"
    view.query, view.shared = query, shared
    record_change(view, by=by, reason=reason)
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, saved_view: SavedView, by: User) -> None:
    """Delete a saved view (its owner only); its history keeps it."""
    if saved_view.owner_id != by.pk:
        raise PermissionDenied("Only its owner can delete a saved view.")
    record_change(saved_view, by=by, reason="deleted")
    saved_view.delete()


def _newest_claim_id() -> int:
    return Claim.objects.aggregate(n=Max("pk"))["n"] or 0


@transaction.atomic
def saved_view_watch_set(*, saved_view: SavedView, by: User, watching: bool) -> bool:
    """Watch (or stop watching) a saved view one may open; return whether `by` now watches.

    Watching starts from the newest claim: only claims that come after count as gained.
    """
    if not saved_views_visible(by).filter(pk=saved_view.pk).exists():
        raise PermissionDenied("This saved view is private to its owner.")
    if watching:
        SavedViewWatch.objects.get_or_create(
            user=by, saved_view=saved_view, defaults={"seen_claim_id": _newest_claim_id()}
        )
    else:
        SavedViewWatch.objects.filter(user=by, saved_view=saved_view).delete()
    return watching


@dataclass(frozen=True)
class ViewGain:
    """A watched view gained `count` claims for one watcher since it was last checked."""

    user_id: int
    saved_view: SavedView
    count: int


@transaction.atomic
def saved_views_check() -> list[ViewGain]:
    """Count, for each watch, the claims newer than its mark that match the view; move the mark.

    Matching is the queue's own (claims.triage.triage_selection, with the watcher as the user
    for `assignee=mine`); only claims with a higher id than the last check count, so each
    check reads the new claims through the primary key, never the whole table. Run when an
    import finishes (notifications.receivers) and by `manage.py check_saved_views`.
    """
    newest = _newest_claim_id()
    watches = (
        SavedViewWatch.objects.select_for_update(of=("self",))
        .filter(seen_claim_id__lt=newest)
        .select_related("saved_view", "user")
    )
    gains, moved = [], []
    for watch in watches:
        view = watch.saved_view
        if not view.shared and view.owner_id != watch.user_id:
            continue  # made private since: the watcher no longer sees it
        filters = parse_filters(QueryDict(view.query))
        new = triage_selection(filters, watch.user).filter(
            pk__gt=watch.seen_claim_id, pk__lte=newest
        )
        if count := new.order_by().count():
            gains.append(ViewGain(watch.user_id, view, count))
        watch.seen_claim_id = newest
        moved.append(watch)
    SavedViewWatch.objects.bulk_update(moved, ["seen_claim_id"])
    return gains
