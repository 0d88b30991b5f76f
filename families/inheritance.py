"""Verdicts follow copies: what a member of a family inherits from its representative.

Nothing is copied: a member's page and queue row read the representative's verdict,
credibility and evidence when they are shown. The member's own verdict wins (set it as on any
claim; its history reverts it, and the inherited one shows again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claims.choices import VERDICT_CHOICES
from claims.models import Claim, Corroboration
from families.models import FamilyMember

VERDICT_STATUSES = frozenset(status for status, _ in VERDICT_CHOICES)


def has_verdict(status: str) -> bool:
    """Whether a claim's status is a verdict (not unreviewed or in review)."""
    return status in VERDICT_STATUSES


@dataclass
class Inherited:
    """The representative's verdict as a member sees it; `own_wins` when the member has its own."""

    representative: Claim
    status: str
    status_label: str
    credibility: int | None
    corroborations: list[Corroboration] = field(default_factory=list)
    own_wins: bool = False

    @property
    def checked(self) -> bool:
        """Whether the family has a verdict this member shows as its own ("already checked")."""
        return has_verdict(self.status) and not self.own_wins


def inherited_of(claim: Claim, member: FamilyMember | None) -> Inherited | None:
    """What `claim` inherits from its family's representative, or None (no family, it is the
    representative, or the representative has no verdict, credibility nor evidence)."""
    if member is None or member.family.representative_id in (None, claim.pk):
        return None
    rep = (
        Claim.objects.select_related("article__publisher")
        .filter(pk=member.family.representative_id)
        .first()
    )
    if rep is None:
        return None
    evidence = list(rep.corroborations.select_related("evidence_claim__article__publisher"))
    if not (has_verdict(rep.status) or rep.credibility is not None or evidence):
        return None
    return Inherited(
        representative=rep,
        status=rep.status,
        status_label=rep.get_status_display(),
        credibility=rep.credibility,
        corroborations=evidence,
        own_wins=has_verdict(claim.status),
    )
