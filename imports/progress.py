"""How far a batch is, and whether a worker is on it — what the batch page shows.

Worker state is read through the tasks framework's public result API: the ids of the tasks
enqueued for a batch are kept on it (`ImportBatch.task_ids`, imports/tasks.py), and each is
looked up with `process_import_batch.get_result(id)` (its `status`, `enqueued_at` and
`worker_ids`), never in django-tasks-db's own table. Whether the worker a task names is
alive is read from the workers' heartbeats (imports/models.py, imports/workers.py): the
library keeps none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from imports.models import WorkerHeartbeat
from imports.tasks import process_import_batch
from sources.models import ImportBatch, ImportFile


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
    TAKING_OVER = "taking_over"
    BUSY = "busy"
    STALLED = "stalled"


@dataclass(slots=True)
class WorkerReport:
    """The batch's worker state, and when a dead worker on it last beat (if one did)."""

    state: str
    stopped_beating_at: datetime | None = None


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
    """Tell whether a worker is processing the batch (`import_worker_report`'s state)."""
    return import_worker_report(batch=batch, progress=progress).state


def _last_worker(task: TaskResult) -> str:
    return task.worker_ids[-1] if task.worker_ids else ""


def import_worker_report(*, batch: ImportBatch, progress: BatchProgress) -> WorkerReport:
    """Tell whether a worker is processing the batch; the page says so instead of hanging.

    The signals are the batch's tasks and the workers' heartbeats (imports/workers.py): a
    RUNNING task is worked on while the worker that took it (the last of its `worker_ids`)
    beats. With no worker beating at all there is NO_WORKER — whatever the tasks say, within
    IMPORT_WORKER_DEAD_SECONDS of the last worker's death — except for a task enqueued less
    than IMPORT_WORKER_GRACE_SECONDS ago (a worker may be starting). While live workers remain,
    a task of a dead one is TAKING_OVER (a live worker ends it and re-enqueues the batch at its
    next beat), and a task still READY after the grace is BUSY (the live workers are all on
    other tasks). A batch with pending files and no task waiting or running is STALLED: resume
    it. A RUNNING task of a worker that never beat (not our `db_worker`) is judged by the
    batch's claims, as before heartbeats: recent ones (IMPORT_CLAIM_TIMEOUT_SECONDS) mean OK.
    """
    if progress.finished:
        return WorkerReport(WorkerState.OK)
    now = timezone.now()
    mine = import_batch_tasks(batch_id=batch.pk)
    if not mine:
        return WorkerReport(WorkerState.STALLED)  # no task left for the pending files
    beats: dict[str, datetime] = {}
    alive: set[str] = set()
    rows = WorkerHeartbeat.objects.with_alive().values_list("worker_id", "beat_at", "alive")
    for worker, beat_at, is_alive in rows:
        beats[worker] = max(beat_at, beats.get(worker, beat_at))
        if is_alive:
            alive.add(worker)
    running = [_last_worker(t) for t in mine if t.status == TaskResultStatus.RUNNING]
    if any(worker in alive for worker in running):
        return WorkerReport(WorkerState.OK)
    if any(worker not in beats for worker in running):
        recent = now - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS)
        active = ImportFile.objects.filter(batch=batch).filter(
            Q(claimed_at__gte=recent) | Q(processed_at__gte=recent)
        )
        if active.exists():
            return WorkerReport(WorkerState.OK)
    dead = [beats[worker] for worker in running if worker in beats]
    stopped = max(dead) if dead else None
    ready = [task.enqueued_at for task in mine if task.status == TaskResultStatus.READY]
    grace = now - timedelta(seconds=settings.IMPORT_WORKER_GRACE_SECONDS)
    if ready and not any(enqueued is not None and enqueued <= grace for enqueued in ready):
        return WorkerReport(WorkerState.OK)  # just enqueued: give a worker a moment to take it
    if not ready and not dead:
        return WorkerReport(WorkerState.STALLED)  # tasks of workers that never beat, idle since
    if not alive:
        return WorkerReport(WorkerState.NO_WORKER, stopped)
    if dead:
        return WorkerReport(WorkerState.TAKING_OVER, stopped)
    return WorkerReport(WorkerState.BUSY)
