"""A claim's fact-check: the summary and rating a desk publishes, and who signed it off.

One fact-check per claim, so a claim's public page (`/fact-checks/<claim id>/`) is a stable
address. Its history (django-simple-history) is the record of every draft, sign-off and
withdrawal: unpublishing changes the state and keeps every earlier version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import STATUS_LABELS
from claims.exports.formats import CLAIMREVIEW_STATUSES


class FactCheckState(models.TextChoices):
    DRAFT = "draft", "Draft — waiting for a lead's sign-off"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


# A fact-check rates a claim on the verdict scale ClaimReview publishes.
RATING_CHOICES = [(status, STATUS_LABELS[status]) for status in CLAIMREVIEW_STATUSES]


class FactCheckQuerySet(models.QuerySet):
    def published(self) -> FactCheckQuerySet:
        """Fact-checks the public may read."""
        return self.filter(state=FactCheckState.PUBLISHED)

    def for_public_page(self) -> FactCheckQuerySet:
        """Published fact-checks with the claim, its article and publisher, and the people."""
        return self.published().select_related(
            "claim__article__publisher", "author", "signed_off_by"
        )


class FactCheck(models.Model):
    """The written summary and rating of one claim, drafted by a reviewer, signed off by a lead."""

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, related_name="fact_check"
    )
    rating = models.CharField(
        max_length=12,
        choices=RATING_CHOICES,
        help_text="The verdict published (ClaimReview's reviewRating).",
    )
    review_body = models.TextField(help_text="The written summary (ClaimReview's reviewBody).")
    show_reviewers = models.BooleanField(
        default=False, help_text="Name the author and the lead who signed off on the public page."
    )
    state = models.CharField(
        max_length=12, choices=FactCheckState.choices, default=FactCheckState.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who saved the current draft last.",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="The sign-off (ClaimReview's datePublished)."
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = FactCheckQuerySet.as_manager()

    class Meta:
        permissions = [("publish_factcheck", "Can sign off and unpublish fact-checks")]

    def __str__(self) -> str:
        return f"Fact-check of claim #{self.claim_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("publishing:public", kwargs={"pk": self.claim_id})

    @property
    def is_published(self) -> bool:
        return self.state == FactCheckState.PUBLISHED
