"""Blind double review: who may see whose judgement of a claim. One rule, every way in.

On a claim of a blind hand-out, a reviewer who has not yet saved their own judgement (a
rating with a proposed verdict) does not see the other reviewers' ratings, proposed verdicts
or notes marked "review": not on the claim page, not in the API, not in the exports and
reports they make. `blinded_claims(user)` decides it; everything else here applies it, and
the claim page (claims.claim_page), the API (api.views) and the exports (claims.exports)
call these functions rather than asking the tables themselves.

A lead who is not one of the claim's reviewers is not blinded (adjudication needs to see
everything); a lead handed the claim is, like any reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import Note, Rating
from desk.models import Assignment

ADJUDICATE_PERM = "desk.adjudicate_claim"


def blinded_claims(user) -> QuerySet:
    """The ids (a `values("claim_id")` subquery) of the claims on which `user` may not see
    other reviewers' judgements yet."""
    if user is None or not user.is_authenticated:
        return Assignment.objects.none().values("claim_id")
    own = Rating.objects.filter(claim_id=OuterRef("claim_id"), reviewer_id=user.pk).exclude(
        proposed_verdict=""
    )
    pending = Assignment.objects.filter(hand_out__blind=True).exclude(Exists(own))
    if user.has_perm(ADJUDICATE_PERM):
        pending = pending.filter(reviewer_id=user.pk)
    return pending.values("claim_id")


def is_blinded(user, claim_id: int) -> bool:
    """Whether `user` may not see other reviewers' judgements of this claim yet."""
    return blinded_claims(user).filter(claim_id=claim_id).exists()


def visibility_filters(user, *, claim_ids=None) -> dict[type, Q]:
    """{model: filter} of the ratings and notes `user` may see, for the lists and history
    records of claims (exports, reports, the API, the claim page's history); empty when the
    user is blinded on none of them. `claim_ids` narrows the question to those claims.

    Visible: their own ratings and notes, notes not marked review, and everything of a claim
    they are not blinded on. Historical records have the same columns, so the same filters
    apply to them.
    """
    blinded = blinded_claims(user)
    if claim_ids is not None:
        blinded = blinded.filter(claim_id__in=list(claim_ids))
    if not blinded.exists():
        return {}
    if claim_ids is not None:  # a handful: the ids themselves, not the subquery again
        blinded = list(blinded.values_list("claim_id", flat=True))
    others = ~Q(claim_id__in=blinded)
    return {
        Rating: Q(reviewer_id=user.pk) | others,
        Note: Q(review=False) | Q(author_id=user.pk) | others,
    }


def visible_ratings(ratings: Iterable, user, *, blinded: bool) -> list:
    """Of one claim's `ratings`, those `user` may see (`blinded`: `is_blinded` of the claim);
    the same rule as `visibility_filters`, for lists already read."""
    return [r for r in ratings if not blinded or r.reviewer_id == user.pk]


def visible_notes(notes: Iterable, user, *, blinded: bool) -> list:
    """Of one claim's `notes`, those `user` may see (the rule of `visibility_filters`)."""
    return [n for n in notes if not blinded or not n.review or n.author_id == user.pk]
