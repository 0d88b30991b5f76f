"""Webhook endpoints admins register, the deliveries of events to them and every attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class EndpointQuerySet(models.QuerySet):
    def subscribed_to(self, event_type: str) -> EndpointQuerySet:
        """The active endpoints that asked for `event_type`.

        Filtered in Python: `events` is a JSON list, and containment lookups on JSON differ
        between PostgreSQL and SQLite; endpoints are a handful of rows.
        """
        ids = [
            e.pk for e in self.filter(active=True).only("id", "events") if event_type in e.events
        ]
        return self.filter(pk__in=ids)


class Endpoint(models.Model):
    """A URL that receives the events it subscribed to, signed with its own secret."""

    url = models.URLField(max_length=500, verbose_name="URL")
    description = models.CharField(max_length=200, blank=True)
    # Standard Webhooks form: "whsec_" + base64 of 24 random bytes (webhooks.signing).
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(default=list, help_text="The event types it receives.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EndpointQuerySet.as_manager()
    # The secret stays out of history: a history row is read by more eyes than the endpoint.
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("manage_endpoints", "Can manage webhook endpoints")]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class DeliveryQuerySet(models.QuerySet):
    def of(self, endpoint: Endpoint) -> DeliveryQuerySet:
        """An endpoint's deliveries, newest first."""
        return self.filter(endpoint=endpoint).order_by("-created_at", "-id")


class Delivery(models.Model):
    """One event for one endpoint: one message id however often it is sent."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=50)
    msg_id = models.CharField(max_length=40, unique=True, verbose_name="message id")
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint} ({self.msg_id})"


class Attempt(models.Model):
    """One POST of a delivery: what came back (a status code, or why nothing did) and how long
    it took. A manual one was asked for with "Send again" and does not count for the retries."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    manual = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery.msg_id} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error
