"""How far a batch is, and whether a worker is on it — what the batch page shows.

Worker state is read through the tasks framework's public result API: the ids of the tasks
enqueued for a batch are kept on it (`ImportBatch.task_ids`, imports/tasks.py), and each is
looked up with `process_import_batch.get_result(id)` (its `status` and `enqueued_at`), never
in django-tasks-db's own table. What the public API cannot give — a list of every task
waiting or running — is not needed: another batch's worker shows itself by its recent
claims on that batch's files, and that batch's own task ids tell whether it is running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from imports.tasks import process_import_batch
from sources.models import ImportBatch, ImportFile, ImportStatus


@dataclass(slots=True)
class BatchProgress:
    """Files of a batch by outcome and the claims its imports created."""

    total: int = 0
    pending: int = 0
    imported: int = 0
    duplicate: int = 0
    rejected: int = 0
    claims: int = 0

    @property
    def processed(self) -> int:
        return self.total - self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)


def import_batch_progress(*, batch: ImportBatch) -> BatchProgress:
    """Count the batch's files by outcome (one grouped query on the batch/outcome index)."""
    progress = BatchProgress()
    rows = (
        ImportFile.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"), claims=Sum("claims_created"))
        .order_by()
    )
    for outcome, n, claims in rows:
        setattr(progress, outcome, n)
        progress.total += n
        progress.claims += claims or 0
    return progress


class WorkerState:
    """What the batch page says about the workers (see `import_worker_state`)."""

    OK = ""
    NO_WORKER = "no_worker"
    BUSY = "busy"
    STALLED = "stalled"


def import_batch_tasks(*, batch_id: int) -> list[TaskResult]:
    """The batch's tasks that still wait or run (a task pruned from the store is gone)."""
    [ids] = ImportBatch.objects.filter(pk=batch_id).values_list("task_ids", flat=True)
    results = []
    for task_id in ids:
        try:
            result = process_import_batch.get_result(task_id)
        except TaskResultDoesNotExist:
            continue
        if result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            results.append(result)
    return results


def import_worker_state(*, batch: ImportBatch, progress: BatchProgress) -> str:
    """Tell whether a worker is processing the batch; the page says so instead of hanging.

    The signal is the batch's tasks plus the claims on our files, nothing extra: an idle
    `db_worker` polls every second, so an import task still READY after
    IMPORT_WORKER_GRACE_SECONDS means no worker is taking tasks — unless workers are busy
    with other import batches, which show as recent claims on those batches' files while
    their tasks are RUNNING (BUSY). A batch with pending files whose tasks are all gone, or
    RUNNING with no claim for IMPORT_CLAIM_TIMEOUT_SECONDS (the worker died), is STALLED:
    resume it.
    """
    if progress.finished:
        return WorkerState.OK
    now = timezone.now()
    mine = import_batch_tasks(batch_id=batch.pk)
    if not mine:
        return WorkerState.STALLED  # no task left that would process the pending files
    recent = now - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS)
    if any(task.status == TaskResultStatus.RUNNING for task in mine):
        active = ImportFile.objects.filter(batch=batch).filter(
            Q(claimed_at__gte=recent) | Q(processed_at__gte=recent)
        )
        if active.exists():
            return WorkerState.OK
    ready = [task.enqueued_at for task in mine if task.status == TaskResultStatus.READY]
    if not ready:
        return WorkerState.STALLED  # only tasks of workers that stopped making progress
    grace = now - timedelta(seconds=settings.IMPORT_WORKER_GRACE_SECONDS)
    if not any(enqueued is not None and enqueued <= grace for enqueued in ready):
        return WorkerState.OK  # just enqueued: give a worker a moment to take it
    unfinished = (
        ImportBatch.objects.filter(status__in=[ImportStatus.PENDING, ImportStatus.RUNNING])
        .exclude(pk=batch.pk)
        .values_list("pk", flat=True)
    )
    for other in unfinished:
        if not ImportFile.objects.filter(batch_id=other, claimed_at__gte=recent).exists():
            continue
        if any(t.status == TaskResultStatus.RUNNING for t in import_batch_tasks(batch_id=other)):
            return WorkerState.BUSY
    return WorkerState.NO_WORKER
