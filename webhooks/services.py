"""Writes of the webhooks app: endpoints, the deliveries of an event, and one attempt.

Enqueueing the tasks that deliver lives in webhooks.tasks (the task calls this module, as
imports.tasks calls imports.queue): here nothing knows the task.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from webhooks.sending import new_msg_id, new_secret, post
from workbench.events import EVENT_TYPES
from workbench.history import record_change
from workbench.models import User
from workbench.outbound import URLRefused, check_url

# A task that starts this early before the delivery's next attempt time still runs it (the
# worker's and the web server's clocks may differ a little).
CLOCK_SLACK = timedelta(seconds=2)


class EndpointRefused(ValueError):
    """An endpoint that cannot be saved as asked; `field` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _validated(*, url: str, events: list[str]) -> tuple[str, list[str]]:
    url = url.strip()
    if not url:
        raise EndpointRefused("url", "give the URL to send events to.")
    try:
        check_url(url, purpose="webhooks")
    except URLRefused as exc:
        raise EndpointRefused("url", str(exc)) from exc
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise EndpointRefused("events", f"unknown event type {', '.join(unknown)}.")
    if not events:
        raise EndpointRefused("events", "choose at least one event.")
    return url, [e for e in EVENT_TYPES if e in events]  # one order, the documented one


@transaction.atomic
def endpoint_create(*, url: str, events: list[str], description: str = "", by: User) -> Endpoint:
    """Register an endpoint with a new signing secret; the URL must lead to a public address."""
    url, events = _validated(url=url, events=events)
    endpoint = Endpoint(
        url=url, events=events, description=description.strip(), secret=new_secret(), created_by=by
    )
    record_change(endpoint, by=by, reason="webhook endpoint added")
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, url: str, events: list[str], description: str, active: bool, by: User
) -> Endpoint:
    """Change an endpoint's URL, events, description or whether it is active."""
    url, events = _validated(url=url, events=events)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.url, endpoint.events = url, events
    endpoint.description, endpoint.active = description.strip(), active
    record_change(endpoint, by=by, reason="webhook endpoint changed")
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint: Endpoint, active: bool, by: User) -> Endpoint:
    """Activate or deactivate an endpoint; an inactive one gets no new deliveries."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.active != active:
        endpoint.active = active
        record_change(endpoint, by=by, reason="activated" if active else "deactivated")
        endpoint.save(update_fields=["active"])
    return endpoint


def event_payload(*, type: str, data: dict, at: datetime | None = None) -> dict:
    """The body every delivery of an event carries: {"type", "timestamp", "data"}."""
    return {"type": type, "timestamp": (at or timezone.now()).isoformat(), "data": data}


@transaction.atomic
def deliveries_create(*, payload: dict) -> list[Delivery]:
    """One pending delivery of `payload` to each active endpoint subscribed to its type."""
    now = timezone.now()
    endpoints = Endpoint.objects.subscribed_to(payload["type"])
    return Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_type=payload["type"],
            msg_id=new_msg_id(),
            payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )


def retry_delay(automatic_attempts: int) -> timedelta:
    """The wait after the n-th failed automatic attempt (WEBHOOK_RETRY_DELAYS, the last
    repeated)."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    return timedelta(seconds=delays[min(automatic_attempts, len(delays)) - 1])


def body_of(delivery: Delivery) -> bytes:
    """The bytes sent and signed: the payload as compact UTF-8 JSON."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    retry_at: datetime | None  # when the next automatic attempt is due, if one is


def delivery_attempt(
    *,
    delivery_id: int,
    manual: bool = False,
    requested_by: User | None = None,
    schedule: Callable[[datetime], object] | None = None,
) -> AttemptResult | None:
    """Send a delivery once and log the attempt; return it and when to retry (None: no retry).

    An automatic attempt (manual=False) runs only for a pending delivery that is due: a task
    made stale by a later schedule, or arriving after the delivery was delivered, does
    nothing (returns None). A failure is retried after `retry_delay` until
    WEBHOOK_MAX_ATTEMPTS automatic attempts were made, then the delivery is failed.
    A manual attempt ("Send again") is sent whatever the state; success makes the delivery
    delivered, a failure changes nothing else (the retries, if any are due, go on).
    An inactive endpoint gets no automatic attempt: the delivery fails, saying so.
    No transaction is open while the request is in flight. `schedule(retry_at)` enqueues the
    retry (webhooks.tasks), in the transaction that logs the attempt: with the database's
    task backend, a delivery waiting for a retry always has its task.
    """
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    now = timezone.now()
    if not manual:
        if delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + CLOCK_SLACK:
            return None
    endpoint = delivery.endpoint
    if not endpoint.active and not manual:
        return _log_attempt(
            delivery_id,
            manual=False,
            requested_by=None,
            started_at=now,
            status_code=None,
            error="endpoint inactive: not sent",
            duration_ms=0,
            ok=False,
            give_up=True,
            schedule=schedule,
        )
    outcome = post(
        url=endpoint.url,
        secret=endpoint.secret,
        msg_id=delivery.msg_id,
        body=body_of(delivery),
        timestamp=now,
    )
    return _log_attempt(
        delivery_id,
        manual=manual,
        requested_by=requested_by,
        started_at=now,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
        ok=outcome.ok,
        give_up=False,
        schedule=schedule,
    )


@transaction.atomic
def _log_attempt(
    delivery_id: int,
    *,
    manual: bool,
    requested_by: User | None,
    started_at: datetime,
    status_code: int | None,
    error: str,
    duration_ms: int,
    ok: bool,
    give_up: bool,
    schedule: Callable[[datetime], object] | None,
) -> AttemptResult:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    attempt = Attempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
        manual=manual,
        requested_by=requested_by,
    )
    delivery.attempts += 1
    retry_at = None
    if ok:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DELIVERED, None
    elif not manual:
        automatic = delivery.attempt_log.filter(manual=False).count()
        if give_up or automatic >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            retry_at = timezone.now() + retry_delay(automatic)
            delivery.next_attempt_at = retry_at
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    if retry_at is not None and schedule is not None:
        schedule(retry_at)
    return AttemptResult(attempt, retry_at)
