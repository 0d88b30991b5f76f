"""Hand-outs of claims to reviewers, their assignments, and the leads' adjudications.

A hand-out is a lead's decision: "these claims (a queue filter), to these reviewers, N
reviewers a claim". Each (claim, reviewer) is an Assignment, a review task that is done when
the reviewer has saved a rating with a proposed verdict (their judgement). The claim's own
`assignee` is untouched: it stays the one owner the queue filters on (`assignee=`), while a
hand-out gives a claim to several reviewers at once.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.choices import VERDICT_CHOICES
from desk.choices import AssignmentState, Strategy


class HandOut(models.Model):
    """Claims of a queue filter handed out to reviewers, `overlap` reviewers a claim."""

    name = models.CharField(max_length=200, blank=True)
    filter = models.CharField(
        max_length=2000,
        blank=True,
        help_text="The queue URL's query string the claims were chosen by (claims.triage).",
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="hand_outs")
    strategy = models.CharField(max_length=12, choices=Strategy.choices)
    overlap = models.PositiveSmallIntegerField(default=1, help_text="Reviewers per claim.")
    blind = models.BooleanField(
        default=False,
        help_text="Reviewers do not see each other's ratings, proposed verdicts and review "
        "notes on a claim until they have given their own (desk.blind).",
    )
    due_on = models.DateField(null=True, blank=True)
    claim_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(overlap__gte=1), name="handout_overlap_min")
        ]

    def __str__(self) -> str:
        return self.name or f"Hand-out #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("desk:handouts") + f"#handout-{self.pk}"


class Assignment(models.Model):
    """One claim of a hand-out for one reviewer to judge."""

    hand_out = models.ForeignKey(HandOut, on_delete=models.CASCADE, related_name="assignments")
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    state = models.CharField(
        max_length=8, choices=AssignmentState.choices, default=AssignmentState.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When another reviewer of the claim in this hand-out was done: the claim "
        "waits for this one (kept by desk.services.assignments_complete; derived, no history).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["waiting_since"])

    class Meta:
        ordering = ["hand_out", "claim", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["hand_out", "claim", "reviewer"], name="assignment_once_per_reviewer"
            )
        ]
        indexes = [
            # My work: a reviewer's assignments by state, newest hand-out first and claims in
            # order within it (desk.querysets), read in index order: 50 rows, not all of them.
            models.Index(
                fields=["reviewer", "state", "-hand_out", "claim"], name="assign_mine_idx"
            ),
            # My work's "done": the latest first.
            models.Index(fields=["reviewer", "state", "-done_at", "-id"], name="assign_done_idx"),
            # My work's "waiting for me": the few open ones another reviewer is done with.
            models.Index(
                fields=["reviewer", "-hand_out", "claim"],
                condition=models.Q(state="open", waiting_since__isnull=False),
                name="assign_waiting_idx",
            ),
            # Blindness and adjudication look a claim's assignments up.
            models.Index(fields=["claim", "reviewer"], name="assign_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"Claim #{self.claim_id} for {self.reviewer} ({self.get_state_display()})"


class Adjudication(models.Model):
    """A lead's verdict on a claim whose reviewers disagreed, with everyone's judgement.

    The verdict itself is set on the claim by the claims' verdict service; this keeps the
    reason and the judgements the lead decided between (`judgements`: one dict a reviewer,
    as they stood), so the record shows everyone's view even after ratings change.
    """

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=12, choices=VERDICT_CHOICES)
    reason = models.TextField()
    judgements = models.JSONField(default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("adjudicate_claim", "Can adjudicate claims reviewers disagree on")]
        indexes = [models.Index(fields=["claim", "-created_at"], name="adjudication_claim_idx")]

    def __str__(self) -> str:
        return f"Claim #{self.claim_id}: {self.get_verdict_display()}"


class SavedView(models.Model):
    """A queue URL saved with a name: private to its owner, or shared with the desk.

    `query` is the queue's query string without a page cursor (a view is a filter, not a
    page); it is read with the queue's own code (claims.triage.parse_filters).
    """

    name = models.CharField(max_length=120)
    query = models.CharField(max_length=2000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False, help_text="Everyone on the desk sees it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("claims:list") + (f"?{self.query}" if self.query else "")


class SavedViewWatch(models.Model):
    """A user watches a saved view: told when claims newer than `seen_claim_id` match it.

    Like a claim's watch (notifications.Watch), a preference, not content: no history.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    saved_view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="watches")
    seen_claim_id = models.BigIntegerField(
        default=0, help_text="The newest claim id when the view was last checked for this user."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "saved_view"], name="watch_view_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.saved_view}"
