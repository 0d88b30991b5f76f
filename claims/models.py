"""Claims and what reviewers attach to them: corroborations, ratings, notes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import (
    VERDICT_CHOICES,
    BoundaryAction,
    ClaimKind,
    ClaimStatus,
    Confidence,
    Credibility,
    Independence,
    ReportJobStatus,
    Stance,
    credibility_label,
)
from claims.querysets import ClaimQuerySet


class Claim(models.Model):
    """One statement of an article, anchored by its character span."""

    article = models.ForeignKey("sources.Article", on_delete=models.CASCADE, related_name="claims")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    kind = models.CharField(max_length=12, choices=ClaimKind.choices)
    status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.UNREVIEWED
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices,
        null=True,
        blank=True,
        default=None,
        help_text="Admiralty information credibility, 1–6; empty until a reviewer rates it "
        "(not rated yet is not 6, truth cannot be judged).",
    )
    score = models.PositiveSmallIntegerField(default=0, help_text="Check-worthiness, 0–100.")
    speaker = models.CharField(
        max_length=300, blank=True, help_text="Who the claim is attributed to."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who set the current verdict.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    verdict_reason = models.TextField(
        blank=True,
        default="",
        db_default="",  # rows written in SQL (bulk imports, benches) need no value
        help_text="Why the reviewer set the current verdict; empty when none was given, or "
        "the claim has no verdict.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every edit (optimistic locking)."
    )
    derived_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_claims",
        help_text="The claim this one was split from.",
    )
    retired = models.BooleanField(
        default=False,
        db_default=False,  # rows written in SQL (bench/triage_pages.py) are current claims
        help_text="Out of use (merged into another claim, or its creation undone); kept with "
        "its history, out of the queue, exports and search.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_claims",
        help_text="The claim this one was merged into.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["text"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start"]
        permissions = [
            ("assign_claim", "Can assign claims to reviewers"),
            ("revert_history", "Can revert a recorded change"),
            ("export_claim", "Can export claims and reports"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")), name="claim_span_valid"
            ),
            # Retired claims keep their span: a new claim may take it.
            models.UniqueConstraint(
                fields=["article", "start", "end"],
                condition=Q(retired=False),
                name="claim_span_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "-score", "id"], name="claim_triage_idx"),
            # The default queue (open claims, no chrome) by score: keyset pages walk this index.
            models.Index(
                fields=["-score", "-id"],
                condition=Q(status__in=["unreviewed", "in_review"])
                & ~Q(kind="chrome")
                & Q(retired=False),
                name="claim_queue_idx",
            ),
            models.Index(fields=["-score", "id"], name="claim_score_idx"),
            models.Index(fields=["-updated_at"], name="claim_updated_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", args=[self.pk])

    @property
    def in_triage(self) -> bool:
        return self.kind != ClaimKind.CHROME and not self.retired

    @property
    def credibility_label(self) -> str:
        """ "2 — Probably true", or "Not rated yet" when nobody has rated the claim."""
        return credibility_label(self.credibility)


class Corroboration(models.Model):
    """A piece of evidence for or against a claim, and whether it is independent of it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="corroborations")
    url = models.URLField(max_length=2000, blank=True)
    outlet = models.CharField(
        max_length=200, blank=True, help_text="Outlet as named by the reviewer."
    )
    publisher = models.ForeignKey(
        "sources.Publisher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_on = models.DateField(null=True, blank=True)
    evidence_claim = models.ForeignKey(
        Claim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_as_evidence",
        help_text="A claim of another imported article used as evidence.",
    )
    excerpt = models.TextField(blank=True)
    stance = models.CharField(max_length=12, choices=Stance.choices)
    independence = models.CharField(
        max_length=16, choices=Independence.choices, default=Independence.UNKNOWN
    )
    independence_reason = models.TextField(blank=True)
    independence_overridden = models.BooleanField(
        default=False, help_text="Set by a reviewer by hand rather than computed."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every edit (optimistic locking)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "created_at"]
        indexes = [models.Index(fields=["claim", "stance", "independence"])]

    def __str__(self) -> str:
        return f"{self.get_stance_display()} ({self.outlet or self.url or 'evidence'})"


class Rating(models.Model):
    """One reviewer's current confidence in a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="ratings")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    confidence = models.CharField(max_length=10, choices=Confidence.choices)
    rationale = models.TextField(blank=True)
    proposed_verdict = models.CharField(
        max_length=12,
        choices=VERDICT_CHOICES,
        blank=True,
        default="",
        db_default="",  # rows written in SQL (benches) have proposed none
        help_text="The verdict this reviewer proposes (a blind hand-out's judgement is the "
        "rating with it); empty when none was proposed. The claim's verdict is its status.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "reviewer"], name="rating_one_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.get_confidence_display()}"


class Note(models.Model):
    """Free text a reviewer attaches to a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    review = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Part of the author's review of the claim: hidden from the other reviewers "
        "of a blind hand-out until they have given their own judgement.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every edit (optimistic locking)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ExportRecord(models.Model):
    """Who exported which claims, when, in what format — kept for accountability."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=20)
    filters = models.JSONField(default=dict, blank=True, help_text="The queue filter exported.")
    claim_count = models.PositiveIntegerField(default=0)
    include_notes = models.BooleanField(default=True)
    content_hash = models.CharField(max_length=64, blank=True)
    origin = models.CharField(max_length=10, default="web")  # "web" or "cli"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} export of {self.claim_count} claims ({self.created_at:%Y-%m-%d})"


class ReportJob(models.Model):
    """A PDF report made by a background task: who asked, for which filter, how far it is.

    Written by the task (claims.report_jobs), never edited by hand, so it keeps no history.
    The PDF is kept in the database, as uploads are for the import workers: the worker that
    makes it and the app server that hands it out may be different machines.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filters = models.JSONField(default=dict, blank=True, help_text="The queue filter reported.")
    include_notes = models.BooleanField(default=True)
    status = models.CharField(
        max_length=8, choices=ReportJobStatus.choices, default=ReportJobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=60, blank=True, help_text="What the task is doing.")
    task_id = models.CharField(
        max_length=64, blank=True, help_text="Its task, as django.tasks knows it."
    )
    claim_count = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    pdf = models.BinaryField(null=True, editable=False)
    error = models.TextField(blank=True)
    export_record = models.OneToOneField(
        ExportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_job"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"PDF report #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("claims:report_job", args=[self.pk])


class BoundaryChange(models.Model):
    """One fix of claim boundaries: the history records it wrote, so it is reverted whole.

    The claims' own history says what changed; this says which records belong to one fix
    (a merge writes a record for each claim and moves evidence, ratings and notes), which a
    field-by-field revert of one record could not put back. Written once, never edited.
    """

    action = models.CharField(max_length=8, choices=BoundaryAction.choices)
    record = models.OneToOneField(
        "claims.HistoricalClaim",
        on_delete=models.PROTECT,
        related_name="boundary_change",
        help_text="The record of the claim fixed: split, kept by a merge, adjusted or created.",
    )
    other_record = models.OneToOneField(
        "claims.HistoricalClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boundary_change_other",
        help_text="Split: the creation of the second part; merge: the retired claim's record.",
    )
    moved = models.JSONField(
        default=dict,
        blank=True,
        help_text="Merge: ids of what moved to the kept claim, by kind, and the history ids of "
        "ratings dropped because the reviewer had rated both claims.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} (change #{self.record_id})"
