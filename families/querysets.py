"""Reads of families: a claim's family with its members (claim page), and the claims a queue
row of a family stands for (its actions)."""

from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Subquery

from claims.querysets import triageable_q

# What `export_facts` reads of each membership, in its order: the names the export record's
# family rules read (claims/exports/schema.py FAMILY).
EXPORT_FACTS = ("claim_id", "family_id", "representative_id", "representative_status", "size")


class FamilyMemberQuerySet(models.QuerySet):
    def current(self):
        """Memberships of claims in use (triageable: current, not page chrome) — the members a
        family's size, its queue row and its export count."""
        return self.filter(triageable_q("claim__"))

    def family_size(self, family) -> Subquery:
        """The size of a family (`family`: an expression of its id, e.g. OuterRef("pk")): the
        number of its current members. The one definition that the queue's family rows
        (claims/triage.py `with_family_facts`) and the export records (`export_facts`) read."""
        counted = (
            self.model.objects.current()
            .filter(family_id=family)
            .order_by()
            .values("family_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Subquery(counted, output_field=IntegerField())

    def export_facts(self):
        """Each membership as the export record reads it (`EXPORT_FACTS`): the claim, its
        family, the representative and its status, and the family's size (its current
        members). The Python export path filters it to a chunk's claims
        (claims/exports/records.py); the SQL path compiles it into its statement
        (claims/exports/postgres.py)."""
        return (
            self.annotate(
                representative_id=F("family__representative_id"),
                representative_status=F("family__representative__status"),
                size=self.family_size(OuterRef("family_id")),
            )
            .order_by()
            .values_list(*EXPORT_FACTS)
        )

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
            self.current()
            .filter(family_id__in=families)
            .exclude(claim_id__in=ids)
            .order_by("claim_id")
            .values_list("claim_id", flat=True)
        )
        return ids + list(others)
