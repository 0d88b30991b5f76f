"""Batch progress and worker state, read through the tasks framework's public result API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from imports import uploads
from imports.progress import (
    WorkerState,
    import_batch_progress,
    import_batch_tasks,
    import_worker_state,
)
from imports.tasks import process_import_batch
from sources.models import ImportBatch
from tests.factories import zip_of
from tests.imports.test_queue import article_text


def enqueued_batch(django_capture_on_commit_callbacks, n: int = 2) -> ImportBatch:
    with django_capture_on_commit_callbacks(execute=True):
        batch = uploads.import_batch_create_from_uploads(
            files=[
                SimpleUploadedFile(
                    "b.zip", zip_of({f"f{i}.txt": article_text(i) for i in range(n)})
                )
            ],
            by=None,
        )
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_a_batch_keeps_the_ids_of_its_tasks_and_finds_them_by_id(
    django_capture_on_commit_callbacks,
):
    batch = enqueued_batch(django_capture_on_commit_callbacks)
    other = enqueued_batch(django_capture_on_commit_callbacks)
    assert len(batch.task_ids) == 1 and batch.task_ids != other.task_ids
    [task] = import_batch_tasks(batch_id=batch.pk)
    assert task.id == batch.task_ids[0]
    assert task.task.func is process_import_batch.func
    assert (task.args, task.status) == ([batch.pk], TaskResultStatus.READY)


@pytest.mark.django_db
def test_a_task_gone_from_the_store_leaves_the_batch_stalled(django_capture_on_commit_callbacks):
    batch = enqueued_batch(django_capture_on_commit_callbacks)
    progress = import_batch_progress(batch=batch)
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK
    DBTaskResult.objects.filter(id__in=batch.task_ids).delete()  # pruned by the backend
    assert import_batch_tasks(batch_id=batch.pk) == []
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.STALLED


@pytest.mark.django_db
def test_progress_and_worker_state_query_counts(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    batch = enqueued_batch(django_capture_on_commit_callbacks, n=3)
    with django_assert_num_queries(1):  # one grouped count
        progress = import_batch_progress(batch=batch)
    assert (progress.total, progress.pending, progress.percent) == (3, 3, 0)
    # The batch's task ids, its one task by id, the workers' heartbeats.
    with django_assert_num_queries(3):
        assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK
