"""A lead's changes to families: merge two, split a claim off, revert one such change.

Every write is here, in a transaction, with the history user and a reason. A claim a lead
placed is marked `HowJoined.LEAD`, and the machine (families/grouping.py) never moves it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.models import Claim
from families.grouping import representatives_refresh
from families.models import ClaimFamily, FamilyMember, HowJoined
from workbench.models import User


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why (the reason is kept in the history)."})
    return reason[:100]


def _save(member: FamilyMember, *, by: User, reason: str) -> None:
    member._history_user = by
    member._change_reason = reason
    member.save()


def family_merge(*, claim: Claim, other: Claim, by: User, reason: str) -> ClaimFamily:
    """Put `other` (and its family, if any) into `claim`'s family; return the family."""
    reason = _reason(reason)
    if claim.pk == other.pk:
        raise ValidationError({"other": "A claim cannot be merged with itself."})
    with transaction.atomic():
        members = {
            m.claim_id: m
            for m in FamilyMember.objects.select_for_update().filter(claim__in=[claim, other])
        }
        mine = members.get(claim.pk)
        if mine is None:
            family = ClaimFamily(representative=claim)
            family._history_user, family._change_reason = by, reason
            family.save()
            mine = FamilyMember(family=family, claim=claim, how=HowJoined.LEAD)
            _save(mine, by=by, reason=reason)
        family_id = mine.family_id
        theirs = members.get(other.pk)
        moving = (
            list(FamilyMember.objects.filter(family_id=theirs.family_id))
            if theirs is not None
            else [FamilyMember(claim=other)]
        )
        old = {m.family_id for m in moving if m.pk is not None}
        if old == {family_id}:
            raise ValidationError({"other": f"Claim #{other.pk} is in this family already."})
        for member in moving:
            member.family_id, member.how, member.similarity = family_id, HowJoined.LEAD, 1.0
            _save(member, by=by, reason=reason)
        for emptied in ClaimFamily.objects.filter(pk__in=old - {family_id}):
            emptied._history_user, emptied._change_reason = by, reason
            emptied.delete()
        representatives_refresh({family_id}, reason=reason)
    return ClaimFamily.objects.get(pk=family_id)


def family_split(*, claim: Claim, by: User, reason: str) -> ClaimFamily:
    """Take a claim out of its family into one of its own, which the machine leaves alone."""
    reason = _reason(reason)
    with transaction.atomic():
        member = FamilyMember.objects.select_for_update().filter(claim=claim).first()
        if member is None:
            raise ValidationError({"claim": f"Claim #{claim.pk} is in no family."})
        if FamilyMember.objects.filter(family_id=member.family_id).count() < 2:
            raise ValidationError({"claim": f"Claim #{claim.pk} is alone in its family."})
        old = member.family_id
        family = ClaimFamily(representative=claim)
        family._history_user, family._change_reason = by, reason
        family.save()
        member.family_id, member.how, member.similarity = family.pk, HowJoined.LEAD, 1.0
        _save(member, by=by, reason=reason)
        representatives_refresh({old, family.pk}, reason=reason)
    return family


def family_revert(*, history_id: int, by: User, reason: str) -> FamilyMember:
    """Put a membership back as it was before the recorded change (its family, how, similarity).

    Refused when the family it was in is gone (merged away since): merge again instead.
    """
    reason = _reason(reason)
    with transaction.atomic():
        record = FamilyMember.history.filter(history_id=history_id).first()
        if record is None or record.history_type != "~":
            raise ValidationError({"history_id": "Only a recorded change of a membership reverts."})
        before = record.prev_record
        member = FamilyMember.objects.select_for_update().filter(pk=record.id).first()
        if member is None or before is None:
            raise ValidationError({"history_id": "That membership no longer exists."})
        if not ClaimFamily.objects.filter(pk=before.family_id).exists():
            raise ValidationError(
                {"history_id": f"Family #{before.family_id} is gone; merge the claims again."}
            )
        old = member.family_id
        member.family_id, member.how, member.similarity = (
            before.family_id,
            HowJoined.LEAD,
            before.similarity,
        )
        _save(member, by=by, reason=reason)
        representatives_refresh({old, before.family_id}, reason=reason)
    return member
