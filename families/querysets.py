"""Reads of families: a claim's family with its members, for the claim page."""

from django.db import models


class FamilyMemberQuerySet(models.QuerySet):
    def of_family(self, family_id: int):
        """The members of a family with their articles and outlets, representative first."""
        return self.filter(family_id=family_id).select_related(
            "claim__article__publisher", "family"
        )
