"""Claim families: claims of different articles (or repeats in one) that make one statement.

A claim is in at most one family (`FamilyMember.claim` is one-to-one), with how it joined and
how alike it is; the family's representative is the claim a verdict is set on. Signatures
(`ClaimSignature`) are derived from the claim's text (sources/ingest/statements.py) and kept
for candidate look-ups, so they have no history; families and memberships do.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from families.querysets import FamilyMemberQuerySet
from sources.ingest.statements import BANDS, EXACT, NEAR_EXACT_HOW, PARAPHRASE_HOW


class HowJoined(models.TextChoices):
    EXACT = EXACT, "Exact copy"
    NEAR_EXACT = NEAR_EXACT_HOW, "Near-exact copy"
    PARAPHRASE = PARAPHRASE_HOW, "Paraphrase"
    LEAD = "lead", "Placed by a lead"


class ClaimFamily(models.Model):
    """Claims that make the same statement; a verdict on the representative applies to all."""

    representative = models.ForeignKey(
        "claims.Claim",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earliest claim from the origin outlet when known, else the earliest.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "claim families"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Family #{self.pk}"


class FamilyMember(models.Model):
    """A claim's place in a family: how it joined and how alike it is."""

    family = models.ForeignKey(ClaimFamily, on_delete=models.CASCADE, related_name="members")
    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, related_name="family_member"
    )
    how = models.CharField(max_length=12, choices=HowJoined.choices)
    similarity = models.FloatField(default=1.0, help_text="0–1, to its closest member.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FamilyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["family", "claim"]

    def __str__(self) -> str:
        return f"Claim #{self.claim_id} in family #{self.family_id} ({self.how})"


def family_id_of(claim) -> int | None:
    """The id of the family a claim is in, or None: the one test of "copies of one statement".

    Reads `claim.family_member` (select it with the claim to spare a query); a claim in no
    family raises RelatedObjectDoesNotExist, an AttributeError, hence the default.
    """
    member = getattr(claim, "family_member", None)
    return member.family_id if member is not None else None


class ClaimSignature(models.Model):
    """A claim's exact key and MinHash band values, indexed for candidate look-ups."""

    claim = models.OneToOneField(
        "claims.Claim", primary_key=True, on_delete=models.CASCADE, related_name="signature"
    )
    exact = models.CharField(max_length=16, db_index=True)
    b0 = models.BigIntegerField(null=True, db_index=True)
    b1 = models.BigIntegerField(null=True, db_index=True)
    b2 = models.BigIntegerField(null=True, db_index=True)
    b3 = models.BigIntegerField(null=True, db_index=True)
    b4 = models.BigIntegerField(null=True, db_index=True)
    b5 = models.BigIntegerField(null=True, db_index=True)
    b6 = models.BigIntegerField(null=True, db_index=True)
    b7 = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"Signature of claim #{self.claim_id}"


class FigureConflict(models.Model):
    """Two claims about the same thing that give a figure differently ($250M vs $300M).

    Derived from the two texts when families are grouped (sources/ingest/statements.py
    `conflicting_figures`), like signatures: no history. Stored both ways round, so a claim's
    conflicts are one index look-up (the claim page, the queue's `conflicts` filter).
    """

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="figure_conflicts"
    )
    other = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    ours = models.CharField(max_length=60)
    theirs = models.CharField(max_length=60)

    class Meta:
        ordering = ["claim", "other"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "other", "kind"], name="figure_conflict_once")
        ]

    def __str__(self) -> str:
        return (
            f"Claim #{self.claim_id}: {self.ours} where claim #{self.other_id} says {self.theirs}"
        )


BAND_FIELDS = [f"b{i}" for i in range(BANDS)]
assert all(hasattr(ClaimSignature, f) for f in BAND_FIELDS), "one column per band"
