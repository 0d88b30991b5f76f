"""Reads of claims: one queryset method per screen, each with its joins."""

from django.apps import apps
from django.db import models

from claims.choices import Independence, Stance
from sources.ingest.kinds import SegmentKind
from sources.models import article_body_fields

# What independence (`claims.independence.source_keys`) reads of a corroboration: select these
# to count sources without more queries.
SOURCE_RELATED = (
    "publisher",
    "evidence_claim__article__publisher",
    "evidence_claim__article__origin",
    "evidence_claim__family_member",  # copies of one statement are one source
)


def triageable_q(prefix: str = "") -> models.Q:
    """The condition of `ClaimQuerySet.triageable`, for a query that reaches claims through a
    relation (`prefix` such as "claim__"): current, and not page chrome."""
    return models.Q(**{f"{prefix}retired": False}) & ~models.Q(
        **{f"{prefix}kind": SegmentKind.CHROME}
    )


class ClaimQuerySet(models.QuerySet):
    def current(self):
        """Claims in use: not retired by a merge or an undone fix (chrome included)."""
        return self.filter(retired=False)

    def triageable(self):
        """Claims that belong in triage, exports and search: current, and not page chrome."""
        return self.filter(triageable_q())

    def for_page(self):
        """Claims with the joins the claim page's panels read: article, people; no lists.

        The article's publishers are not joined: the page gives them from the publisher
        registry (`PublisherRegistry.attach`), as it does for its evidence.
        """
        return self.select_related("article", "assignee", "reviewed_by").defer(
            *article_body_fields("article__", keep=("text", "repairs"))  # the text is shown
        )

    def for_detail(self):
        """Claims with everything the claim page shows, in a fixed number of queries."""
        return self.for_page().prefetch_related(*detail_prefetches().values())

    def with_evidence_counts(self):
        """Annotate `evidence_count` and `supporting_independent` (corroboration counts)."""
        return self.annotate(
            evidence_count=models.Count("corroborations", distinct=True),
            supporting_independent=models.Count(
                "corroborations",
                filter=models.Q(
                    corroborations__stance=Stance.SUPPORTS,
                    corroborations__independence=Independence.INDEPENDENT,
                ),
                distinct=True,
            ),
        )


def detail_prefetches() -> dict[str, models.Prefetch]:
    """The lists the claim page shows of a claim, each with its joins, by relation name.

    `for_detail` prefetches them all; a panel of the page prefetches only the ones it shows
    (`prefetch_related_objects`).
    """
    # By name from the app registry: claims.models imports this module for ClaimQuerySet.
    corroboration, rating, note = (
        apps.get_model("claims", name) for name in ("Corroboration", "Rating", "Note")
    )
    # Independence compares the evidence article's text, never its saved page; the publishers
    # (SOURCE_RELATED) come from the publisher registry (`attach_sources`).
    # The evidence's archive (evidence.Archive: the archived copy, excerpt and link state).
    evidence = corroboration.objects.select_related(
        "evidence_claim__article", "evidence_claim__family_member", "archive"
    ).defer(*article_body_fields("evidence_claim__article__", keep=("text",)))
    return {
        "corroborations": models.Prefetch("corroborations", queryset=evidence),
        "ratings": models.Prefetch("ratings", queryset=rating.objects.select_related("reviewer")),
        "notes": models.Prefetch("notes", queryset=note.objects.select_related("author")),
    }
