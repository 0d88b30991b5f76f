"""Writes of fact-checks: draft, sign off (publish), unpublish — each one history row.

The rules: a fact-check rates the claim with the verdict the claim has (verified, disputed
or refuted) and has a written summary; it is published only when a lead who wrote none of
the current draft signs it off, and its `datePublished` is that sign-off. A published
fact-check is not edited in place: it is unpublished first (with a reason), which keeps it
and its history, and drafted and signed off again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim
from publishing.models import RATING_CHOICES, FactCheck, FactCheckState
from workbench.events import announce
from workbench.history import record_change
from workbench.models import User

PUBLISH_PERMISSION = "publishing.publish_factcheck"
DRAFT_PERMISSION = "claims.change_claim"


def _refuse_unless(user: User, perm: str, what: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(f"You are not allowed to {what}.")


def _announce(event_type: str, fact_check: FactCheck, *, by: User) -> None:
    announce(
        sender=FactCheck,
        type=event_type,
        data={
            "claim": {"id": fact_check.claim_id},
            "fact_check": {
                "state": fact_check.state,
                "rating": fact_check.rating,
                "published_at": fact_check.published_at.isoformat()
                if fact_check.published_at
                else None,
                "url": fact_check.get_absolute_url(),
            },
            "by": by.get_username(),
        },
    )


def _check_version(fact_check: FactCheck, version: int | None) -> None:
    if version is not None and version != fact_check.version:
        raise ValidationError(
            {
                "version": "Not saved: someone changed this fact-check since you opened it "
                f"(now version {fact_check.version}, you saw {version}). Reload and try again."
            }
        )


def rating_problem(claim: Claim, rating: str) -> str | None:
    """Why `rating` cannot be published for `claim` now, or None."""
    if rating not in dict(RATING_CHOICES):
        names = ", ".join(dict(RATING_CHOICES))
        return f"rating: {rating!r} is not a published verdict (one of {names})."
    if claim.status != rating:
        return (
            f"rating: the claim's verdict is {claim.get_status_display()}, not "
            f"{dict(RATING_CHOICES)[rating]}: set the verdict on the claim first."
        )
    return None


def draft_authors(fact_check: FactCheck) -> set[int]:
    """The users who saved any version of the current draft (since it was last published
    or unpublished), from its history."""
    authors: set[int] = set()
    for row in fact_check.history.order_by("-history_date", "-history_id"):
        if row.state != FactCheckState.DRAFT:
            break
        if row.history_user_id is not None:
            authors.add(row.history_user_id)
    return authors


@transaction.atomic
def factcheck_draft(
    *,
    claim: Claim,
    by: User,
    rating: str,
    review_body: str,
    show_reviewers: bool = False,
    version: int | None = None,
) -> FactCheck:
    """Write (or rewrite) the draft fact-check of `claim`; refused while it is published."""
    _refuse_unless(by, DRAFT_PERMISSION, "draft fact-checks")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    review_body = review_body.strip()
    problems = {}
    if problem := rating_problem(claim, rating):
        problems["rating"] = problem
    if not review_body:
        problems["review_body"] = "review body: a fact-check needs a written summary."
    if problems:
        raise ValidationError(problems)
    fact_check = FactCheck.objects.select_for_update().filter(claim=claim).first()
    if fact_check is None:
        fact_check = FactCheck(claim=claim)
        reason = "fact-check drafted"
    else:
        _check_version(fact_check, version)
        if fact_check.is_published:
            raise ValidationError(
                {"state": "state: this fact-check is published; unpublish it to change it."}
            )
        unchanged = fact_check.state == FactCheckState.DRAFT and (
            fact_check.rating,
            fact_check.review_body,
            fact_check.show_reviewers,
        ) == (rating, review_body, show_reviewers)
        if unchanged:
            return fact_check
        fact_check.version += 1
        reason = "fact-check redrafted"
    fact_check.rating = rating
    fact_check.review_body = review_body
    fact_check.show_reviewers = show_reviewers
    fact_check.state = FactCheckState.DRAFT
    fact_check.author = by
    fact_check.signed_off_by = None
    fact_check.published_at = None
    record_change(fact_check, by=by, reason=reason)
    fact_check.save()
    return fact_check


@transaction.atomic
def factcheck_sign_off(*, fact_check: FactCheck, by: User, version: int | None = None) -> FactCheck:
    """Publish a draft: a lead who wrote none of it signs it off; datePublished is now."""
    _refuse_unless(by, PUBLISH_PERMISSION, "sign off fact-checks: that needs the lead role")
    fact_check = FactCheck.objects.select_for_update().select_related("claim").get(pk=fact_check.pk)
    _check_version(fact_check, version)
    if fact_check.state != FactCheckState.DRAFT:
        raise ValidationError(
            {"state": f"state: only a draft is signed off; this one is {fact_check.state}."}
        )
    if by.pk in draft_authors(fact_check):
        raise ValidationError(
            {"signed_off_by": "sign-off: you wrote this draft; a second lead must sign it off."}
        )
    if problem := rating_problem(fact_check.claim, fact_check.rating):
        raise ValidationError({"rating": problem})
    fact_check.state = FactCheckState.PUBLISHED
    fact_check.signed_off_by = by
    fact_check.published_at = timezone.now()
    fact_check.version += 1
    record_change(fact_check, by=by, reason="signed off and published")
    fact_check.save()
    _announce("factcheck.published", fact_check, by=by)
    return fact_check


@transaction.atomic
def factcheck_unpublish(
    *, fact_check: FactCheck, by: User, reason: str, version: int | None = None
) -> FactCheck:
    """Take a published fact-check off its public page; it and its history are kept."""
    _refuse_unless(by, PUBLISH_PERMISSION, "unpublish fact-checks: that needs the lead role")
    fact_check = FactCheck.objects.select_for_update().get(pk=fact_check.pk)
    _check_version(fact_check, version)
    if not reason.strip():
        raise ValidationError({"reason": "reason: say why the fact-check is unpublished."})
    if not fact_check.is_published:
        raise ValidationError({"state": "state: this fact-check is not published."})
    fact_check.state = FactCheckState.UNPUBLISHED
    fact_check.version += 1
    record_change(fact_check, by=by, reason=f"unpublished: {reason.strip()}")
    fact_check.save()
    _announce("factcheck.unpublished", fact_check, by=by)
    return fact_check
