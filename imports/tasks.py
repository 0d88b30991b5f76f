"""Background imports: the task a `db_worker` runs, and handing a batch over to such tasks.

Tasks are Django tasks, stored and run by django-tasks-db (`manage.py db_worker`). The ids of
the tasks enqueued for a batch are kept on it (`ImportBatch.task_ids`), so that
`imports.progress` can ask the tasks framework about them (`Task.get_result`) instead of
reading the backend's table. Enqueueing lives here, not in `imports.queue`, because the task
calls the queue: the queue module stays free of the task it would otherwise import back.
"""

from __future__ import annotations

import math
from functools import partial

from django.conf import settings
from django.db import transaction
from django.tasks import task

from imports.queue import import_batch_process, import_batch_release, worker_id
from sources.models import ImportBatch


@task
def process_import_batch(batch_id: int) -> int:
    """Import the pending files of a batch; several of these may share one batch."""
    return import_batch_process(batch_id=batch_id, worker=worker_id())


def import_batch_enqueue(*, batch_id: int, files: int) -> int:
    """Enqueue enough tasks for `files` pending files that several workers can share them.

    One task per IMPORT_FILES_PER_TASK files, at most IMPORT_MAX_TASKS_PER_BATCH: every task
    works until nothing is left to claim, so extra tasks only matter when there are workers
    to run them. The tasks' ids are added to the batch's. Returns the number enqueued.
    """
    count = max(
        1,
        min(settings.IMPORT_MAX_TASKS_PER_BATCH, math.ceil(files / settings.IMPORT_FILES_PER_TASK)),
    )
    ids = [process_import_batch.enqueue(batch_id).id for _ in range(count)]
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().only("id", "task_ids").get(pk=batch_id)
        batch.task_ids = [*batch.task_ids, *ids]
        batch.save(update_fields=["task_ids"])
    return count


def import_batch_resume(*, batch_id: int) -> int:
    """Release every claim on the batch's pending files and enqueue it again.

    Returns the pending files; the tasks are enqueued once the release is committed.
    """
    with transaction.atomic():
        count = import_batch_release(batch_id=batch_id)
        if count:
            transaction.on_commit(partial(import_batch_enqueue, batch_id=batch_id, files=count))
    return count
