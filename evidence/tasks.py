"""Capturing evidence in the background: the tasks a `db_worker` runs, and queueing them.

A capture is one task per piece of evidence, queued once the evidence is committed
(evidence.receivers, on `corroboration.added`), so the page that attached it never waits on
the cited site. The link sweep is a task too, queued by `check_evidence_links --enqueue`
(the command without it sweeps in its own process); the tasks framework has no schedule, so
cron runs the command (README, "Evidence archive"). Both are idempotent, so a dead worker's
run is simply made again (evidence.apps registers them with imports.workers.on_worker_death).
"""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from evidence.models import Archive
from evidence.services import archive_create, capture_take, links_sweep
from workbench.models import User


@task
def capture_evidence(evidence_id: int) -> str:
    """Capture one piece of evidence's URL. Returns what happened."""
    archive = capture_take(evidence_id=evidence_id)
    if archive is None:
        return "nothing to capture"
    return archive.state if not archive.error else f"{archive.state}: {archive.error}"


@task
def check_evidence_links(workers: int = 4) -> str:
    """Check every archived link that is due again; say how many, and what was found."""
    return links_sweep(workers=workers).summary()


def archive_request(*, evidence_id: int, by: User | None = None) -> Archive | None:
    """Record the capture to make of a piece of evidence and queue it once committed."""
    with transaction.atomic():
        archive = archive_create(evidence_id=evidence_id, by=by)
        if archive is not None:
            transaction.on_commit(lambda: capture_evidence.enqueue(evidence_id))
    return archive
