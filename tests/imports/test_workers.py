"""Workers' heartbeats: a dead worker is seen, its task row ends, its files are taken over.

Time is travelled by setting `beat_at` explicitly; the only waits are for a beating thread,
in steps of 50 ms.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.http import QueryDict
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imports import queue, workers
from imports.models import WorkerHeartbeat
from imports.progress import WorkerState, import_batch_progress, import_worker_state
from imports.workers import import_workers_recover, worker_heartbeat
from sources.ingest.pipeline import process_document
from sources.models import Article, ImportFile, ImportOutcome, ImportStatus
from tests.imports.test_queue import article_text, make_batch


def beat(worker_id: str, *, seconds_ago: float, host: str = "host-a", pid: int = 111):
    """A worker's heartbeat row whose last beat was `seconds_ago`."""
    at = timezone.now() - timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host=host, pid=pid, started_at=at - timedelta(minutes=5), beat_at=at
    )


def wait_until(condition, *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def batch_mid_import(django_capture_on_commit_callbacks, *, worker_id: str, files: int = 4):
    """A batch whose one task `worker_id` runs, half its files claimed by that worker's run."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = make_batch({f"f{i}.txt": article_text(i) for i in range(files)})
    batch.refresh_from_db()  # its task ids
    DBTaskResult.objects.get(id=batch.task_ids[0]).claim(worker_id)
    queue.import_files_claim(batch_id=batch.pk, worker="host-a:111:run1", size=files // 2)
    return batch


# ------------------------------------------------------------------------------ the beat


@pytest.mark.django_db(transaction=True)
def test_a_worker_beats_while_it_runs_and_its_row_goes_when_it_stops():
    with worker_heartbeat(worker_id="w1", interval=0.05) as row:
        first = WorkerHeartbeat.objects.get(worker_id="w1")
        assert first.process == row.process == queue.worker_process()
        assert queue.worker_id().startswith(f"{row.process}:")  # its claims name its process
        assert wait_until(
            lambda: WorkerHeartbeat.objects.get(worker_id="w1").beat_at > first.beat_at
        )
    assert not WorkerHeartbeat.objects.filter(worker_id="w1").exists()  # a clean stop


@pytest.mark.django_db(transaction=True)
def test_a_worker_busy_parsing_a_large_file_still_beats(monkeypatch):
    beats = []
    real_beat = workers.worker_beat

    def recording_beat(row):
        real_beat(row)
        beats.append(time.monotonic())

    monkeypatch.setattr(workers, "worker_beat", recording_beat)
    data = article_text(1) * 4000  # about 650 KB of sentences
    with worker_heartbeat(worker_id="parser", interval=0.05):
        started = time.monotonic()
        # This thread never waits: the beating thread must take its turn.
        process_document(data, source_name="big.txt", content_type="txt", max_bytes=len(data))
        ended = time.monotonic()
    assert any(started < at < ended for at in beats), (ended - started, beats)


@pytest.mark.django_db
def test_a_worker_silent_for_the_dead_seconds_is_dead(settings):
    settings.IMPORT_WORKER_DEAD_SECONDS = 10
    beat("recent", seconds_ago=9)
    beat("silent", seconds_ago=11)
    alive = set(WorkerHeartbeat.objects.alive().values_list("worker_id", flat=True))
    dead = set(WorkerHeartbeat.objects.dead().values_list("worker_id", flat=True))
    assert (alive, dead) == ({"recent"}, {"silent"})


# ------------------------------------------------------------------------------ the page


@pytest.mark.django_db
def test_the_batch_page_says_no_worker_once_its_only_worker_stops_beating(
    settings, client, make_user, django_capture_on_commit_callbacks
):
    settings.IMPORT_WORKER_DEAD_SECONDS = 10
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="doomed")
    row = beat("doomed", seconds_ago=1)
    progress = import_batch_progress(batch=batch)
    client.force_login(make_user("ada", "admin"))
    url = f"/sources/import/{batch.pk}/"
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK
    assert 'id="worker-warning"' not in client.get(url).content.decode()

    row.beat_at = timezone.now() - timedelta(seconds=9)  # still within the limit
    row.save()
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK

    row.beat_at = timezone.now() - timedelta(seconds=11)  # killed: no beat for 11 s
    row.save()
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.NO_WORKER
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()  # the poll
    assert "No worker is processing imports" in page
    assert "the worker importing this batch stopped at" in page


@pytest.mark.django_db
def test_while_another_worker_lives_the_page_says_it_takes_over(
    settings, client, make_user, django_capture_on_commit_callbacks
):
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="doomed")
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)
    beat("survivor", seconds_ago=0, pid=222)
    progress = import_batch_progress(batch=batch)
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.TAKING_OVER
    client.force_login(make_user("ada", "admin"))
    page = client.get(f"/sources/import/{batch.pk}/").content.decode()
    assert "another worker is taking over its files" in page


# ------------------------------------------------------------------------------ recovery


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_task_row_ends_failed_saying_when_it_stopped(settings):
    batch = make_batch({"a.txt": article_text(1)})
    live_batch = make_batch({"b.txt": article_text(2)})
    [dead] = DBTaskResult.objects.filter(args_kwargs__args=[batch.pk])
    [live] = DBTaskResult.objects.filter(args_kwargs__args=[live_batch.pk])
    dead.claim("doomed")
    live.claim("survivor")
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)
    beat("survivor", seconds_ago=0, pid=222)

    recovery = import_workers_recover()

    dead.refresh_from_db()
    live.refresh_from_db()
    assert recovery.tasks_failed == 1
    assert dead.status == TaskResultStatus.FAILED and dead.finished_at is not None
    assert dead.exception_class_path == "imports.workers.WorkerStopped"
    assert "worker doomed (host-a:111) stopped beating at" in dead.traceback
    assert live.status == TaskResultStatus.RUNNING  # a live worker's task goes on
    # … and the dead one's batch has a new task to replace it, in the same transaction.
    assert recovery.batches_enqueued == [batch.pk]
    batch.refresh_from_db()
    ready = DBTaskResult.objects.filter(id__in=batch.task_ids, status=TaskResultStatus.READY)
    assert ready.count() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["survivor"]


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_beat_hands_a_dead_workers_files_on_without_resume(
    settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_CLAIM_GROUP = 2
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="doomed")
    doomed = beat("doomed", seconds_ago=0)
    claimed = ImportFile.objects.filter(batch=batch, claimed_by__startswith="host-a:")
    assert claimed.count() == 2
    # The claims are fresh: without the heartbeat nobody could take them for 10 minutes.
    assert queue.import_batch_process(batch_id=batch.pk, worker="host-b:222:run1") == 2

    with worker_heartbeat(worker_id="survivor", interval=0.05):
        assert claimed.count() == 2  # the doomed worker was alive when this one started
        doomed.beat_at = timezone.now() - timedelta(seconds=settings.IMPORT_WORKER_DEAD_SECONDS)
        doomed.save()  # … and is now silent for the limit
        assert wait_until(lambda: not WorkerHeartbeat.objects.filter(worker_id="doomed").exists())
    assert not claimed.filter(outcome=ImportOutcome.PENDING).exists()
    assert queue.import_batch_process(batch_id=batch.pk, worker="host-b:222:run2") == 2
    assert set(ImportFile.objects.filter(batch=batch).values_list("outcome", flat=True)) == {
        ImportOutcome.IMPORTED
    }


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_after_the_only_worker_died_finishes_its_batch(
    settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_CLAIM_GROUP = 2
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="doomed", files=6)
    [killed_task] = batch.task_ids
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)

    # A new worker starts (runs every task there is, then stops): no Resume was clicked.
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--worker-id",
                 "rescuer", "--verbosity", "0")  # fmt: skip

    files = list(ImportFile.objects.filter(batch=batch))
    assert [f.outcome for f in files] == [ImportOutcome.IMPORTED] * 6
    assert Article.objects.count() == len({f.article_id for f in files}) == 6
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert DBTaskResult.objects.get(id=killed_task).status == TaskResultStatus.FAILED
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert not WorkerHeartbeat.objects.exists()  # the rescuer stopped cleanly


@pytest.mark.django_db(transaction=True)
def test_a_worker_restarted_under_its_id_ends_the_earlier_runs_task_at_once(
    django_capture_on_commit_callbacks,
):
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="worker-1")
    beat("worker-1", seconds_ago=1)  # killed a second ago and restarted with the same id
    with worker_heartbeat(worker_id="worker-1", interval=60):
        task = DBTaskResult.objects.get(id=batch.task_ids[0])
        assert task.status == TaskResultStatus.FAILED
        assert not ImportFile.objects.filter(batch=batch).exclude(claimed_by="").exists()
        assert WorkerHeartbeat.objects.filter(worker_id="worker-1").count() == 1


@pytest.mark.django_db
def test_resume_ends_a_dead_workers_task_before_enqueueing_the_batch_again(
    settings, client, make_user, django_capture_on_commit_callbacks
):
    batch = batch_mid_import(django_capture_on_commit_callbacks, worker_id="doomed")
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)
    client.force_login(make_user("ada", "admin"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sources/import/{batch.pk}/resume/")
    assert DBTaskResult.objects.get(id=batch.task_ids[0]).status == TaskResultStatus.FAILED
    assert not ImportFile.objects.filter(batch=batch).exclude(claimed_by="").exists()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_gap_in_its_own_beats_a_worker_waits_a_round_before_judging_others(
    settings, monkeypatch
):
    """The database was away: nobody could beat, so nobody is declared dead for it at once."""
    settings.IMPORT_WORKER_DEAD_SECONDS = 1.0  # a gap is half of it: 0.5 s
    events: list[str] = []
    outage = threading.Event()
    real_beat = workers.worker_beat

    def beat_unless_out(row):
        if outage.is_set():
            events.append("failed")
            raise OperationalError("the database is away")
        real_beat(row)
        events.append("beat")

    monkeypatch.setattr(workers, "worker_beat", beat_unless_out)
    with worker_heartbeat(worker_id="w1", interval=0.05):
        monkeypatch.setattr(workers, "import_workers_recover", lambda: events.append("judge"))
        assert wait_until(lambda: "judge" in events)
        outage.set()
        time.sleep(0.7)
        outage.clear()
        back = len(events)
        assert wait_until(lambda: events[back:].count("beat") >= 2)
    after = [e for e in events[back:] if e != "failed"]
    assert after[:3] == ["beat", "beat", "judge"], after


# ------------------------------------------------------- other apps' tasks a dead worker left


@pytest.mark.django_db(transaction=True)
def test_a_pdf_report_whose_worker_died_is_made_again_by_another(settings, roles, make_user):
    from claims.choices import ReportJobStatus
    from claims.models import ReportJob
    from claims.report_jobs import (
        WorkerState,
        make_report_pdf,
        report_job_create,
        report_job_enqueue,
        report_worker_state,
    )
    from claims.triage import parse_filters
    from tests.claims.test_report_pdf import run_worker

    reviewer = make_user("rita", "reviewer")
    job = report_job_enqueue(
        job=report_job_create(
            filters=parse_filters(QueryDict("status=all")), include_notes=True, by=reviewer
        )
    )
    DBTaskResult.objects.get(id=job.task_id).claim("doomed")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJobStatus.RUNNING, progress=30)
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)

    recovery = import_workers_recover()

    assert recovery.tasks_failed == 1
    assert recovery.tasks_resumed == [make_report_pdf.module_path]
    first_task = job.task_id
    job.refresh_from_db()
    assert job.task_id != first_task  # a new task, waiting for a worker
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert (job.status, job.progress) == (ReportJobStatus.QUEUED, 0)
    assert report_worker_state(job=job) == WorkerState.OK  # not "stalled": ask for nothing
    run_worker()
    job.refresh_from_db()
    assert job.status == ReportJobStatus.DONE and job.pdf[:5] == b"%PDF-"


@pytest.mark.django_db(transaction=True)
def test_a_webhook_attempt_whose_worker_died_is_made_again(settings, roles, make_user):
    from tests.webhooks.conftest import PUBLIC_URL
    from webhooks.services import deliveries_create, endpoint_create, event_payload
    from webhooks.tasks import deliver_webhook

    endpoint_create(url=PUBLIC_URL, events=["note.added"], by=make_user("ada", "admin"))
    payload = event_payload(type="note.added", data={"claim": {"id": 7}, "by": "rita"})
    (delivery,) = deliveries_create(payload=payload)
    task = deliver_webhook.enqueue(delivery.pk)
    DBTaskResult.objects.get(id=task.id).claim("doomed")
    beat("doomed", seconds_ago=settings.IMPORT_WORKER_DEAD_SECONDS + 1)

    recovery = import_workers_recover()

    assert recovery.tasks_resumed == [deliver_webhook.module_path]
    again = DBTaskResult.objects.filter(
        task_path=deliver_webhook.module_path, status=TaskResultStatus.READY
    )
    assert [t.args_kwargs["args"] for t in again] == [[delivery.pk]]
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.FAILED
