"""Turn the workbench's events (workbench.events) into webhook deliveries, after the commit.

The signal arrives inside the service's transaction; the deliveries are made in an
`on_commit` callback, so a change that is rolled back sends nothing. `robust`: a failure to
queue deliveries is logged and does not turn the user's committed change into an error.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from webhooks.services import event_payload
from webhooks.tasks import event_deliver
from workbench.events import event


@receiver(event, dispatch_uid="webhooks.deliver_event")
def deliver_event(sender, *, type: str, data: dict, **kwargs) -> None:
    payload = event_payload(type=type, data=data)  # the time of the event, not of the commit
    transaction.on_commit(partial(event_deliver, payload=payload), robust=True)
