"""A worker's signs of life: one WorkerHeartbeat row per running `db_worker` process.

django-tasks-db (0.13) records which worker ran a task (`DBTaskResult.worker_ids`, the
`--worker-id` of `db_worker`) but nothing about whether that worker is still there: a worker
killed mid-task leaves its task RUNNING for good. This row is what it lacks — written when the
worker starts, its `beat_at` renewed (by the database's clock) every
IMPORT_WORKER_BEAT_SECONDS by a thread of the worker (imports/workers.py), deleted when it
stops or is found dead. Not editable by anyone, so
no history: it is a clock, not a record.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Now


def process_name(host: str, pid: int) -> str:
    """`host:pid`: a process as its heartbeat names it and as its claims begin (imports.queue)."""
    return f"{host}:{pid}"


def dead_cutoff() -> CombinedExpression:
    """A beat older than this is a dead worker's (IMPORT_WORKER_DEAD_SECONDS).

    The database's clock, as beats are written with it: workers on several machines then
    never judge each other by clocks that disagree.
    """
    return Now() - timedelta(seconds=settings.IMPORT_WORKER_DEAD_SECONDS)


class WorkerHeartbeatQuerySet(models.QuerySet["WorkerHeartbeat"]):
    def alive(self) -> WorkerHeartbeatQuerySet:
        """Workers that beat within IMPORT_WORKER_DEAD_SECONDS."""
        return self.filter(beat_at__gte=dead_cutoff())

    def dead(self) -> WorkerHeartbeatQuerySet:
        """Workers silent for longer than IMPORT_WORKER_DEAD_SECONDS."""
        return self.filter(beat_at__lt=dead_cutoff())

    def with_alive(self) -> WorkerHeartbeatQuerySet:
        """Each worker with `alive`: whether it beat within IMPORT_WORKER_DEAD_SECONDS."""
        return self.annotate(
            alive=ExpressionWrapper(Q(beat_at__gte=dead_cutoff()), output_field=BooleanField())
        )


class WorkerHeartbeat(models.Model):
    # The worker's `--worker-id`, as django-tasks-db records it on the tasks it runs.
    worker_id = models.CharField(max_length=64, db_index=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["beat_at"], name="imports_heartbeat_beat_idx")]

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.process})"

    @property
    def process(self) -> str:
        """`host:pid`, what `imports.queue.worker_id()` starts the process's claims with."""
        return process_name(self.host, self.pid)
