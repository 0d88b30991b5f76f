"""Delivering webhooks in the background: the task a `db_worker` runs, and enqueueing it.

Each delivery is one task; a failed attempt enqueues the next one with `run_after` (the
retry schedule of webhooks.services), so a waiting retry holds no worker. "Send again" is a
task too: the page never waits on a receiver.
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from webhooks.models import Delivery
from webhooks.services import deliveries_create, delivery_attempt
from workbench.models import User


@task
def deliver_webhook(delivery_id: int, manual: bool = False, requested_by: int | None = None) -> str:
    """Make one attempt of a delivery; enqueue the retry it asks for. Returns what happened."""
    by = User.objects.filter(pk=requested_by).first() if requested_by else None
    result = delivery_attempt(
        delivery_id=delivery_id,
        manual=manual,
        requested_by=by,
        schedule=lambda at: deliver_webhook.using(run_after=at).enqueue(delivery_id),
    )
    if result is None:
        return "nothing to do"
    if result.retry_at is not None:
        return f"failed; retry at {result.retry_at.isoformat()}"
    return "delivered" if result.attempt.ok else "failed"


def event_deliver(*, payload: dict) -> list[Delivery]:
    """Create the deliveries of an event's payload and enqueue a task for each.

    Called once the transaction that made the event has committed (webhooks.receivers); the
    tasks are enqueued once the deliveries are committed, so a worker always finds its row.
    """
    with transaction.atomic():
        deliveries = deliveries_create(payload=payload)
        for delivery in deliveries:
            transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.enqueue(pk))
    return deliveries


def delivery_send_again(*, delivery: Delivery, by: User) -> None:
    """Enqueue one more attempt of a delivery now, whatever its state ("Send again")."""
    deliver_webhook.enqueue(delivery.pk, manual=True, requested_by=by.pk)
