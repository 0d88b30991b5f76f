"""Background tasks (Django tasks, run by django-tasks-db's `manage.py db_worker`)."""

from __future__ import annotations

import os
import socket
import uuid

from django.tasks import task

from sources import services


@task
def process_import_batch(batch_id: int) -> int:
    """Import the pending files of a batch; several of these may share one batch.

    Each run is its own worker identity (host, process, run), so two runs in one process —
    or a run that outlived its claim — never mistake each other's claims for their own.
    """
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return services.import_batch_process(batch_id=batch_id, worker=worker)
