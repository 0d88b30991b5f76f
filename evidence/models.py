"""Captures of evidence URLs, the archive state of each piece of evidence, and its link checks.

- `Capture`: one fetch of an evidence URL, as it was — final URL, status, the headers that
  matter, when, the SHA-256 of the body, the body itself (gzip, through the "evidence"
  storage of STORAGES, so S3-compatible storage works in production), and the text and
  metadata extracted from it. Written once, never edited: no history of its own (the
  archive's history says when each capture was taken up).
- `Archive`: what a reviewer sees of a piece of evidence's URL — the archived copy (the first
  good capture), the excerpt check against it, and what became of the link since (gone,
  moved, content changed, with the text diff). Edited by the services: history kept.
- `LinkSchedule`: when the link was last checked and is next due. Bookkeeping, not evidence:
  a check that found nothing new changes nothing a reviewer sees, so it is not in history,
  and the sweep moves it in bulk.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.db import models
from simple_history.models import HistoricalRecords

from evidence.choices import CapturePurpose, CaptureState, ExcerptStatus, LinkState

STORAGE_ALIAS = "evidence"


def evidence_storage():
    """The storage captured bodies are kept in (STORAGES["evidence"])."""
    return storages[STORAGE_ALIAS]


class Capture(models.Model):
    """One fetch of an evidence URL: what came back, kept as it was."""

    evidence = models.ForeignKey(
        "claims.Corroboration", on_delete=models.CASCADE, related_name="captures"
    )
    purpose = models.CharField(max_length=10, choices=CapturePurpose.choices)
    requested_url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, blank=True)
    redirects = models.JSONField(default=list, blank=True, help_text="Each hop's URL.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    retrieved_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64, blank=True)
    body_name = models.CharField(
        max_length=200, blank=True, help_text="The gzipped body's name in the evidence storage."
    )
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of the body as served.")
    content_type = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    title = models.CharField(max_length=500, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=500, blank=True)
    published = models.CharField(max_length=40, blank=True, help_text="ISO 8601, as the page says.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["evidence", "retrieved_at", "pk"]
        indexes = [models.Index(fields=["evidence", "retrieved_at"])]

    def __str__(self) -> str:
        return f"{self.requested_url} at {self.retrieved_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.sha256)

    def open_body(self):
        """The stored (gzipped) body as a file; the caller closes it."""
        return evidence_storage().open(self.body_name, "rb")


class ArchiveQuerySet(models.QuerySet):
    def for_page(self) -> ArchiveQuerySet:
        """With what the archived-copy page shows: the evidence, its claim and both captures."""
        return self.select_related("evidence__claim", "capture", "link_capture")


class Archive(models.Model):
    """A piece of evidence's archived copy, its excerpt check and what became of its link."""

    evidence = models.OneToOneField(
        "claims.Corroboration", on_delete=models.CASCADE, related_name="archive"
    )
    url = models.URLField(max_length=2000, help_text="The evidence URL the capture is of.")
    state = models.CharField(
        max_length=10, choices=CaptureState.choices, default=CaptureState.PENDING
    )
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    excerpt_status = models.CharField(
        max_length=10, choices=ExcerptStatus.choices, default=ExcerptStatus.NOT_CHECKED, blank=True
    )
    excerpt_start = models.PositiveIntegerField(default=0)
    excerpt_end = models.PositiveIntegerField(default=0)
    excerpt_differences = models.JSONField(default=list, blank=True)
    link_state = models.CharField(
        max_length=12, choices=LinkState.choices, default=LinkState.UNCHECKED
    )
    link_capture = models.ForeignKey(
        Capture,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The check that found the link gone, moved or changed.",
    )
    link_changed_at = models.DateTimeField(null=True, blank=True)
    link_diff = models.TextField(blank=True)
    rereview = models.BooleanField(
        default=False,
        help_text="The link went bad (gone, moved, changed, unreachable) and no reviewer has "
        "re-checked the evidence since: a verified claim resting on it is to be reviewed again.",
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    objects = ArchiveQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["link_state"]),
            models.Index(
                fields=["evidence"], condition=models.Q(rereview=True), name="archive_rereview"
            ),
        ]

    def __str__(self) -> str:
        return f"archive of {self.url} ({self.state})"


class LinkSchedule(models.Model):
    """When an archived link was last checked again and when it is next due."""

    archive = models.OneToOneField(
        Archive, primary_key=True, on_delete=models.CASCADE, related_name="schedule"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.archive_id} due {self.due_at:%Y-%m-%d}"
