"""Workers' signs of life, and what becomes of a worker's work when they stop.

django-tasks-db 0.13 records which worker ran a task (`DBTaskResult.worker_ids`) but has no
heartbeat: a `db_worker` killed mid-task leaves its task RUNNING for ever, and nothing tells
the living that its claimed files will never be finished (django-tasks-db issue #5, "Unclean
exits of the worker leave tasks in limbo", is open; django-tasks' "Worker pings" pull request,
#133, was closed unmerged). So this is our own code:

- `worker_heartbeat` is wrapped around the library's worker loop by the project's `db_worker`
  command (imports/management/commands/db_worker.py). It writes the worker's WorkerHeartbeat
  row and renews it from a thread every IMPORT_WORKER_BEAT_SECONDS — a thread, so that a worker
  busy parsing one large file still beats (parsing is Python code, which gives up the GIL to
  other threads every few milliseconds).
- `import_workers_recover` finds workers silent for IMPORT_WORKER_DEAD_SECONDS and ends what
  they left: their RUNNING tasks are set FAILED (`DBTaskResult.set_failed`, with a
  `WorkerStopped` saying when the worker stopped), the files their runs had claimed are
  released, and each batch that still has pending files gets a new task. Every beating worker
  runs it after each beat, and once when it starts — so a batch whose only worker died is
  taken over by the next worker to start, with no Resume.
- Tasks of other apps (a PDF report, a webhook delivery) are taken up again the same way:
  each app says how with `on_worker_death` (in its AppConfig.ready), so this module knows
  none of their tables; their new task is enqueued in the same transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imports.models import WorkerHeartbeat, dead_cutoff
from imports.queue import import_files_release_process
from imports.tasks import import_batch_enqueue, process_import_batch
from sources.models import ImportFile, ImportOutcome

logger = logging.getLogger(__name__)


class WorkerStopped(Exception):
    """What a dead worker's tasks failed with: the worker stopped beating."""


@dataclass(slots=True)
class Recovery:
    """What `import_workers_recover` did: workers declared dead, tasks ended, files freed."""

    workers: list[str] = field(default_factory=list)
    tasks_failed: int = 0
    files_released: int = 0
    batches_enqueued: list[int] = field(default_factory=list)
    # Other apps' tasks taken up again (`on_worker_death`): their task paths.
    tasks_resumed: list[str] = field(default_factory=list)


# How each app's task is taken up again after its worker died: task path → a function given
# the failed task's arguments (`TaskResult.args`, `.kwargs`), run in the recovery's transaction.
_RESUME: dict[str, Callable[..., None]] = {}


def on_worker_death(task, resume: Callable[..., None]) -> None:
    """Register how to take `task` up again when the worker running it dies.

    `resume(*args, **kwargs)` gets the dead run's arguments; it runs inside the transaction
    that ends the dead task, so the new task it enqueues (an insert) is seen together with
    the old one's end — never the work with no task to do it.
    """
    _RESUME[task.module_path] = resume


def import_workers_recover(*, restarted_worker_id: str = "") -> Recovery:
    """Declare the workers that stopped beating dead, end their tasks, hand on their files.

    `restarted_worker_id`: a worker starting under the `--worker-id` of an earlier one (worker
    ids are unique across the pool, so a fixed id means a restart): that earlier process is
    dead whatever its last beat said. Several live workers may run this at once; each dead
    worker is handled by whichever locks its row first (SKIP LOCKED on PostgreSQL).
    """
    recovery = Recovery()
    dead_q = Q(beat_at__lt=dead_cutoff())
    if restarted_worker_id:
        dead_q |= Q(worker_id=restarted_worker_id)
    with transaction.atomic():
        dead = list(WorkerHeartbeat.objects.filter(dead_q).select_for_update(skip_locked=True))
        if not dead:
            return recovery
        by_worker = {row.worker_id: row for row in dead}
        # A live process under a dead one's id (a restart) runs tasks of its own under it.
        live_since = dict(
            WorkerHeartbeat.objects.alive()
            .filter(worker_id__in=by_worker)
            .exclude(pk__in=[row.pk for row in dead])
            .values_list("worker_id", "started_at")
        )
        batches: set[int] = set()
        for task in DBTaskResult.objects.running().select_for_update():
            row = by_worker.get(task.worker_ids[-1] if task.worker_ids else "")
            if row is None:
                continue
            if row.worker_id in live_since and task.started_at >= live_since[row.worker_id]:
                continue
            task.set_failed(
                WorkerStopped(
                    f"worker {row.worker_id} ({row.process}) stopped beating at "
                    f"{row.beat_at.isoformat(timespec='seconds')}; found dead at "
                    f"{timezone.now().isoformat(timespec='seconds')}"
                )
            )
            recovery.tasks_failed += 1
            if task.task_path == process_import_batch.module_path:
                batches.add(task.task_result.args[0])
            elif resume := _RESUME.get(task.task_path):
                result = task.task_result
                resume(*result.args, **result.kwargs)
                recovery.tasks_resumed.append(task.task_path)
        for row in dead:
            released = import_files_release_process(process=row.process)
            recovery.files_released += sum(released.values())
            batches.update(released)
            recovery.workers.append(str(row))
            logger.warning(
                "%s stopped beating at %s: its running tasks failed, %d claimed file(s) released",
                row,
                row.beat_at.isoformat(timespec="seconds"),
                sum(released.values()),
            )
        WorkerHeartbeat.objects.filter(pk__in=[row.pk for row in dead]).delete()
        pending = (
            ImportFile.objects.filter(batch_id__in=batches, outcome=ImportOutcome.PENDING)
            .values_list("batch_id")
            .annotate(n=Count("id"))
            .order_by("batch_id")
        )
        # A new task even when a live task works the batch: it may be finishing just now,
        # before it could see the files released here. A spare task ends at once. Enqueued
        # in this transaction (the backend's enqueue is an insert), so that no one ever sees
        # the batch with its dead task ended and no task to replace it ("stalled").
        for batch_id, files in pending:
            import_batch_enqueue(batch_id=batch_id, files=files)
            recovery.batches_enqueued.append(batch_id)
    return recovery


class _Beating(threading.Thread):
    """Renew the worker's heartbeat row, then look for dead workers, every `interval` s."""

    def __init__(self, row: WorkerHeartbeat, interval: float) -> None:
        super().__init__(name=f"heartbeat-{row.worker_id}", daemon=True)
        self.row = row
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        last_beat = time.monotonic()
        try:
            while not self.stopping.wait(self.interval):
                close_old_connections()  # this thread's own connection, dropped if broken
                try:
                    worker_beat(self.row)
                    beat, last_beat = time.monotonic(), last_beat
                    # After a gap in its own beats (the database was away), the others could
                    # not beat either: give them a round to do so before judging them.
                    if beat - last_beat < settings.IMPORT_WORKER_DEAD_SECONDS / 2:
                        import_workers_recover()
                    last_beat = beat
                except DatabaseError:
                    logger.warning("%s could not beat; trying again", self.row, exc_info=True)
        finally:
            connection.close()


def worker_beat(row: WorkerHeartbeat) -> None:
    """Renew the worker's beat; a worker that was declared dead (it paused too long) beats
    under a new row from now on — its tasks were failed and its files handed on meanwhile."""
    if WorkerHeartbeat.objects.filter(pk=row.pk).update(beat_at=Now()):
        return
    logger.warning("%s was declared dead and beats again", row)
    row.pk = None
    row.started_at = row.beat_at = Now()
    row.save(force_insert=True)


@contextmanager
def worker_heartbeat(*, worker_id: str, interval: float | None = None) -> Iterator[WorkerHeartbeat]:
    """Beat for this process while the block runs (a `db_worker` and its tasks).

    First the recovery, so that work left by dead workers (an earlier run under this id
    among them) is enqueued before this worker takes its first task; then this worker's row,
    renewed by a thread until the block ends, and deleted then (a worker that stops cleanly
    is not "dead").
    """
    import_workers_recover(restarted_worker_id=worker_id)
    row = WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=Now(),
        beat_at=Now(),
    )
    beating = _Beating(row, settings.IMPORT_WORKER_BEAT_SECONDS if interval is None else interval)
    beating.start()
    try:
        yield row
    finally:
        beating.stopping.set()
        beating.join(timeout=10)
        WorkerHeartbeat.objects.filter(pk=row.pk).delete()
