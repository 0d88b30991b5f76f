"""Capture the URL of evidence as soon as it is attached (workbench.events, after the commit).

`corroboration.added` arrives inside the service's transaction; the archive row and the
capture task are made in an `on_commit` callback, so evidence rolled back is never fetched.
`robust`: a failure to queue the capture is logged and does not undo the reviewer's change.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from evidence.tasks import archive_request
from workbench.events import event


@receiver(event, dispatch_uid="evidence.capture_added_evidence")
def capture_added_evidence(sender, *, type: str, data: dict, **kwargs) -> None:
    if type != "corroboration.added":
        return
    transaction.on_commit(
        partial(archive_request, evidence_id=data["corroboration"]["id"]), robust=True
    )
