"""Notifications: what a user is told, how they want e-mail, and the claims they watch.

A notification is a message to one user, not a record of the workbench's content: reading
it is its only change (`read_at`), so it carries no history; the change it tells of is in
the history of what changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EmailMode(models.TextChoices):
    NONE = "none", "No e-mail"
    IMMEDIATE = "immediate", "Immediately, one e-mail each"
    DAILY = "daily", "A daily digest"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        """The user's notifications, newest first."""
        return self.filter(user=user).order_by("-created_at", "-id")

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def undigested(self) -> NotificationQuerySet:
        """Not e-mailed yet, oldest first (what a digest sends)."""
        return self.filter(emailed_at__isnull=True).order_by("created_at", "id")


class Notification(models.Model):
    """One thing one user is told about, with the page it is about."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, help_text="Why: mentioned, import, watched claim, …")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user}: {self.text}"


class NotificationSetting(models.Model):
    """How one user wants e-mail (no row: a daily digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting"
    )
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.DAILY)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"


class Watch(models.Model):
    """A user watches a claim: told when it changes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "claim"], name="watch_once_per_claim")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches claim #{self.claim_id}"
