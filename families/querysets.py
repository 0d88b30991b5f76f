"""Reads of families: a claim's family with its members (claim page), and the claims a queue
row of a family stands for (its actions)."""

from django.db import models

from sources.ingest.kinds import SegmentKind


class FamilyMemberQuerySet(models.QuerySet):
    def of_family(self, family_id: int):
        """The members of a family with their articles and outlets, representative first."""
        return self.filter(family_id=family_id).select_related(
            "claim__article__publisher", "family"
        )

    def with_families(self, claim_ids: list[int]) -> list[int]:
        """These claim ids, then the other current members of their families (one query).

        A queue row of a family stands for all its members: taking, assigning or a bulk
        action on it acts on each (claims/views.py, through the claims services).
        """
        ids = list(dict.fromkeys(claim_ids))
        families = self.filter(claim_id__in=ids).values("family_id")
        others = (
            self.filter(family_id__in=families, claim__retired=False)
            .exclude(claim__kind=SegmentKind.CHROME)
            .exclude(claim_id__in=ids)
            .order_by("claim_id")
            .values_list("claim_id", flat=True)
        )
        return ids + list(others)
