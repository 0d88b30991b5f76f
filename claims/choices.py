"""The claims app's choices: kinds, statuses and the grading scales (see ../shared/DOMAIN.md).

Apart from the models so that reads (`claims.querysets`) and rules (`claims.independence`) can
name them without importing the models, which import the querysets.
"""

from django.db import models

from sources.ingest.kinds import SegmentKind


class ClaimKind(models.TextChoices):
    HEADLINE = SegmentKind.HEADLINE, "Headline"
    STATEMENT = SegmentKind.STATEMENT, "Statement"
    QUOTE = SegmentKind.QUOTE, "Quote"
    DISCLAIMER = SegmentKind.DISCLAIMER, "Disclaimer"
    CAPTION = SegmentKind.CAPTION, "Caption"
    SUBHEADING = SegmentKind.SUBHEADING, "Subheading"
    CHROME = SegmentKind.CHROME, "Page chrome"


class ClaimStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    IN_REVIEW = "in_review", "In review"
    VERIFIED = "verified", "Verified"
    DISPUTED = "disputed", "Disputed"
    REFUTED = "refuted", "Refuted"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    NOT_A_CLAIM = "not_a_claim", "Not a claim"


# The statuses that are verdicts, as a reviewer proposes one (Rating.proposed_verdict).
VERDICT_CHOICES = [
    (status.value, status.label)
    for status in (
        ClaimStatus.VERIFIED,
        ClaimStatus.DISPUTED,
        ClaimStatus.REFUTED,
        ClaimStatus.UNVERIFIABLE,
        ClaimStatus.NOT_A_CLAIM,
    )
]


class Credibility(models.IntegerChoices):
    """Admiralty information-credibility scale."""

    CONFIRMED = 1, "1 — Confirmed by other independent sources"
    PROBABLY_TRUE = 2, "2 — Probably true"
    POSSIBLY_TRUE = 3, "3 — Possibly true"
    DOUBTFUL = 4, "4 — Doubtful"
    IMPROBABLE = 5, "5 — Improbable"
    CANNOT_BE_JUDGED = 6, "6 — Truth cannot be judged"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"


class Independence(models.TextChoices):
    INDEPENDENT = "independent", "Independent"
    NOT_INDEPENDENT = "not_independent", "Not independent"
    UNKNOWN = "unknown", "Not yet judged"


class Confidence(models.TextChoices):
    """ICD 203-style analytic confidence; never mixed with likelihood."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class BoundaryAction(models.TextChoices):
    SPLIT = "split", "Split"
    MERGE = "merge", "Merge"
    SPAN = "span", "Span adjusted"
    CREATE = "create", "Created from a selection"


# Code → label of each choice a page or export shows: one lookup each, not get_FOO_display()
# per row (the queue's rows, the report, the export).
KIND_LABELS = dict(ClaimKind.choices)
STATUS_LABELS = dict(ClaimStatus.choices)
CREDIBILITY_LABELS = dict(Credibility.choices)
# A claim nobody has rated has no credibility (None), shown so: never as 6.
NOT_RATED_LABEL = "Not rated yet"


def credibility_label(value: int | None) -> str:
    """The label of a credibility, `NOT_RATED_LABEL` for None."""
    return NOT_RATED_LABEL if value is None else CREDIBILITY_LABELS.get(value, str(value))


class ReportJobStatus(models.TextChoices):
    """Where a PDF report made in the background is (claims.report_jobs)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
