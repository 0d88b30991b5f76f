"""Reads of the desk: a reviewer's work, the claims reviewers disagree on.

My work reads the reviewer's assignments through the index (reviewer, state, hand_out,
claim): each section is one bounded query whatever the size of the claims table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, When

from claims.choices import Confidence
from claims.models import Claim
from claims.querysets import triageable_q
from desk.choices import AssignmentState
from desk.models import Adjudication, Assignment, HandOut

MY_WORK_LIMIT = 50
# Confidence as ranks for "two steps apart" and the ordinal alpha (low < moderate < high).
CONFIDENCE_RANKS = {level: rank for rank, level in enumerate(Confidence.values, start=1)}
DUE_SOON_DAYS = 3


@dataclass
class MyWork:
    assigned: list[Assignment]
    due: list[Assignment]
    waiting: list[Assignment]
    done: list[Assignment]


def _rows(qs):
    return qs.select_related("claim", "hand_out").only(
        "id",
        "state",
        "done_at",
        "claim__id",
        "claim__text",
        "claim__status",
        "hand_out__id",
        "hand_out__name",
        "hand_out__due_on",
        "hand_out__blind",
    )


def my_work(user, *, today: datetime.date | None = None, limit: int = MY_WORK_LIMIT) -> MyWork:
    """The reviewer's work, four sections of at most `limit` rows, one query each (and one
    for the hand-outs due soon), each read in the order of an index:

    - assigned: open assignments, newest hand-out first;
    - due: open ones of a hand-out due within DUE_SOON_DAYS (or overdue), soonest first;
    - waiting for me: open ones where another reviewer of the claim is done already
      (`waiting_since`, set when they were);
    - done: the latest done.

    Open work is on claims still in the queue: a claim merged away (retired) or marked page
    chrome after it was handed out is no work (its rating would be refused).
    """
    today = today or datetime.date.today()
    mine = Assignment.objects.filter(reviewer_id=user.pk)
    # On the claim's own row (joined already for the rows), so each section is still read
    # in its index's order.
    open_ = mine.filter(triageable_q("claim__"), state=AssignmentState.OPEN)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    # The reviewer's hand-outs due soon, as ids (a handful): the planner then reads their
    # claims through the index instead of guessing; none due, no query for the section.
    due_hand_outs = list(
        HandOut.objects.filter(reviewers=user.pk, due_on__lte=soon).values_list("pk", flat=True)
    )
    return MyWork(
        assigned=list(_rows(open_).order_by("-hand_out_id", "claim_id")[:limit]),
        due=list(
            _rows(open_.filter(hand_out_id__in=due_hand_outs)).order_by(
                "hand_out__due_on", "hand_out_id", "claim_id"
            )[:limit]
        ),
        waiting=list(
            _rows(open_.filter(waiting_since__isnull=False)).order_by("-hand_out_id", "claim_id")[
                :limit
            ]
        ),
        done=list(
            _rows(mine.filter(state=AssignmentState.DONE)).order_by("-done_at", "-id")[:limit]
        ),
    )


def confidence_rank():
    """The rank of a rating's confidence, as SQL (for claims annotated over their ratings)."""
    return Case(
        *(When(ratings__confidence=level, then=rank) for level, rank in CONFIDENCE_RANKS.items()),
        output_field=IntegerField(),
    )


def disagreements():
    """Handed-out claims whose reviewers disagree and that no lead has adjudicated yet.

    Disagree: two proposed verdicts differ, or two confidences are two steps apart (low and
    high). Annotated with `verdicts` (distinct proposed verdicts), `lowest`, `highest`
    (confidence ranks) and `judged` (ratings).
    """
    handed_out = Assignment.objects.filter(claim_id=OuterRef("pk"))
    adjudicated = Adjudication.objects.filter(claim_id=OuterRef("pk"))
    return (
        Claim.objects.current()
        .filter(Exists(handed_out))
        .exclude(Exists(adjudicated))
        .annotate(
            judged=Count("ratings", distinct=True),
            verdicts=Count(
                "ratings__proposed_verdict",
                filter=~Q(ratings__proposed_verdict=""),
                distinct=True,
            ),
            lowest=Min(confidence_rank()),
            highest=Max(confidence_rank()),
        )
        .filter(Q(verdicts__gt=1) | Q(highest__gte=F("lowest") + 2))
        .select_related("article")
        .only("id", "text", "status", "article__id", "article__title")
        .order_by("-id")
    )
