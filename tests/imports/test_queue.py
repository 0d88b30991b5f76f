"""The import queue: uploads become a batch, workers share it, nothing is lost or doubled."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from claims.models import Claim
from imports import queue, storing, tasks, uploads
from imports.models import WorkerHeartbeat
from imports.progress import WorkerState, import_batch_progress, import_worker_state
from imports.storing import StoreDefaults, articles_store
from imports.tasks import process_import_batch
from sources.ingest.pipeline import process_document
from sources.models import (
    Article,
    ImportBatch,
    ImportFile,
    ImportOutcome,
    ImportStatus,
    Publisher,
)
from tests.conftest import sample_path
from tests.factories import PublisherFactory, zip_of


def article_text(n: int) -> bytes:
    """A small distinct page dump (the number makes every text different)."""
    return (
        f"Magnet plant {n} opens in Baotou\n\n"
        f"The plant produced {n * 10 + 7} tonnes of magnets in 2024, the company said. "
        f"Output rose {n % 50 + 1} percent from the year before.\n"
    ).encode()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def make_batch(entries: dict[str, bytes], **kwargs) -> ImportBatch:
    """A batch from one uploaded zip of `entries` (tasks are not run)."""
    return uploads.import_batch_create_from_uploads(
        files=[upload("batch.zip", zip_of(entries))], by=None, **kwargs
    )


def outcomes(batch: ImportBatch) -> dict[str, str]:
    return dict(ImportFile.objects.filter(batch=batch).values_list("name", "outcome"))


# ------------------------------------------------------------------------------ creating


@pytest.mark.django_db
def test_batch_from_uploads_stores_every_file_with_its_bytes_and_enqueues_tasks(
    django_capture_on_commit_callbacks,
):
    html = b"<html><head><title>Plant</title></head><body><p>" + article_text(9) + b"</p></body>"
    with django_capture_on_commit_callbacks(execute=True):
        batch = uploads.import_batch_create_from_uploads(
            files=[
                upload("one.txt", article_text(1)),
                upload("page.html", html),
                upload("more.zip", zip_of({"a/two.txt": article_text(2), "b/three.htm": html})),
                upload("slides.pdf", b"%PDF-1.4"),
            ],
            by=None,
        )
    rows = {f.name: f for f in ImportFile.objects.filter(batch=batch)}
    assert set(rows) == {
        "one.txt",
        "page.html",
        "more.zip/a/two.txt",
        "more.zip/b/three.htm",
        "slides.pdf",
    }
    assert bytes(rows["more.zip/a/two.txt"].content) == article_text(2)
    assert rows["more.zip/b/three.htm"].content_type == "html"
    assert rows["one.txt"].outcome == ImportOutcome.PENDING
    assert rows["slides.pdf"].outcome == ImportOutcome.REJECTED
    assert "unsupported file type '.pdf'" in rows["slides.pdf"].reason
    assert rows["slides.pdf"].content is None
    tasks = DBTaskResult.objects.filter(task_path=process_import_batch.module_path)
    assert tasks.count() == 1
    assert tasks.get().args_kwargs["args"] == [batch.pk]
    assert batch.status == ImportStatus.PENDING


@pytest.mark.django_db
def test_many_files_get_several_tasks_so_workers_can_share_them(
    settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_FILES_PER_TASK = 2
    settings.IMPORT_MAX_TASKS_PER_BATCH = 3
    with django_capture_on_commit_callbacks(execute=True):
        make_batch({f"f{i}.txt": article_text(i) for i in range(5)})
    assert DBTaskResult.objects.count() == 3


@pytest.mark.django_db
def test_processing_imports_each_file_and_clears_its_bytes():
    batch = make_batch({"one.txt": article_text(1), "empty.txt": b"", "two.txt": article_text(2)})
    done = queue.import_batch_process(batch_id=batch.pk, worker="w1")
    assert done == 2  # the empty file was refused on upload
    files = {f.name: f for f in ImportFile.objects.filter(batch=batch)}
    one = files["batch.zip/one.txt"]
    assert one.outcome == ImportOutcome.IMPORTED
    assert one.article.import_batch == batch
    assert one.claims_created == Claim.objects.filter(article=one.article).count() > 0
    assert files["batch.zip/empty.txt"].outcome == ImportOutcome.REJECTED
    assert files["batch.zip/empty.txt"].reason == "batch.zip/empty.txt: the file is empty"
    assert all(f.content is None for f in files.values())
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.finished_at is not None


@pytest.mark.parametrize("ahead", [True, False])
@pytest.mark.django_db
def test_a_parser_working_elsewhere_gets_the_next_group_before_this_one_is_stored(
    settings, monkeypatch, ahead
):
    """A pool parses the next group while this process stores; a parser here does not."""
    settings.IMPORT_CLAIM_GROUP = 2
    batch = make_batch({f"f{i}.txt": article_text(i) for i in range(5)})
    events: list[tuple[str, list[int]]] = []

    def number(name: str) -> int:
        return int(name.removeprefix("batch.zip/f").removesuffix(".txt"))

    def parse(jobs, max_bytes):
        events.append(("parse", [number(name) for name, _, _ in jobs]))
        return queue.parse_in_process(jobs, max_bytes)

    real_store = queue.articles_store

    def store(items, **kwargs):
        events.append(("store", [number(p.source_name) for p in items]))
        return real_store(items, **kwargs)

    monkeypatch.setattr(queue, "articles_store", store)
    parser = queue.Parser(parse, ahead=ahead)
    assert queue.import_batch_process(batch_id=batch.pk, worker="w1", parse=parser) == 5
    if ahead:
        assert events == [
            ("parse", [0, 1]),
            ("parse", [2, 3]),
            ("store", [0, 1]),
            ("parse", [4]),
            ("store", [2, 3]),
            ("store", [4]),
        ]
    else:
        assert events == [
            ("parse", [0, 1]),
            ("store", [0, 1]),
            ("parse", [2, 3]),
            ("store", [2, 3]),
            ("parse", [4]),
            ("store", [4]),
        ]
    assert set(outcomes(batch).values()) == {ImportOutcome.IMPORTED}


@pytest.mark.django_db
def test_a_limit_counts_the_files_claimed_ahead_too(settings):
    settings.IMPORT_CLAIM_GROUP = 2
    batch = make_batch({f"f{i}.txt": article_text(i) for i in range(6)})
    ahead = queue.Parser(queue.parse_in_process, ahead=True)
    assert queue.import_batch_process(batch_id=batch.pk, worker="w1", limit=3, parse=ahead) == 3
    assert ImportFile.objects.filter(batch=batch, claimed_by="w1").count() == 3
    assert list(outcomes(batch).values()).count(ImportOutcome.PENDING) == 3


@pytest.mark.django_db
def test_a_worker_loads_the_publishers_once_while_none_changes(settings, monkeypatch):
    settings.IMPORT_CLAIM_GROUP = 2
    batch = make_batch({f"f{i}.txt": article_text(i) for i in range(6)})
    loads = []
    real_load = queue.PublisherRegistry.load.__func__

    def load(cls):
        loads.append(cls)
        return real_load(cls)

    monkeypatch.setattr(queue.PublisherRegistry, "load", classmethod(load))
    assert queue.import_batch_process(batch_id=batch.pk, worker="w1") == 6
    assert len(loads) == 1


@pytest.mark.django_db
def test_a_publisher_rolled_back_with_its_group_is_not_used_by_the_next(settings, monkeypatch):
    """A group that meets a conflict is stored again article by article: what the group
    created is gone, and the next group must not be given it from the worker's registry."""
    settings.IMPORT_CLAIM_GROUP = 2
    articles_store(
        [process_document(article_text(1), source_name="x.txt", content_type="txt")], by=None
    )
    manifest = "file,publisher\n" + "".join(f"{n}.txt,Invented Harbour Gazette\n" for n in "abc")
    batch = make_batch(
        {
            "manifest.csv": manifest.encode(),
            "a.txt": article_text(2),
            "b.txt": article_text(1),  # stored already, which the group does not see …
            "c.txt": article_text(3),  # … in the next group, from the same new publisher
        }
    )
    real_stored = storing._stored_articles
    calls = {"n": 0}

    def racing(shas):
        calls["n"] += 1
        return {} if calls["n"] == 1 else real_stored(shas)  # as if stored meanwhile

    monkeypatch.setattr(storing, "_stored_articles", racing)
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    assert outcomes(batch) == {
        "batch.zip/a.txt": ImportOutcome.IMPORTED,
        "batch.zip/b.txt": ImportOutcome.DUPLICATE,
        "batch.zip/c.txt": ImportOutcome.IMPORTED,
    }
    [gazette] = Publisher.objects.filter(name="Invented Harbour Gazette")
    a, c = (ImportFile.objects.get(batch=batch, name=f"batch.zip/{n}.txt").article for n in "ac")
    assert (a.publisher_id, c.publisher_id) == (gazette.pk, gazette.pk)


# ------------------------------------------------------------------------------ parallel


def _run_worker(batch_id: int, worker: str, counts: dict[str, int], errors: list) -> None:
    try:
        counts[worker] = queue.import_batch_process(batch_id=batch_id, worker=worker)
    except Exception as exc:  # surfaced by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_process_a_file_twice(settings):
    settings.IMPORT_CLAIM_GROUP = 3
    batch = make_batch({f"f{i:03}.txt": article_text(i) for i in range(60)})
    if connection.vendor == "sqlite":
        # SQLite has no SKIP LOCKED (Django drops FOR UPDATE there): every transaction starts
        # with BEGIN IMMEDIATE, so claim transactions run one after another, and a claim
        # excludes what another worker holds. Show both: the mode, then interleaved claims.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        first = queue.import_files_claim(batch_id=batch.pk, worker="w1", size=3)
        second = queue.import_files_claim(batch_id=batch.pk, worker="w2", size=3)
        assert {f.pk for f in first}.isdisjoint({f.pk for f in second})
        defaults = StoreDefaults()
        counts = {
            "w1": queue.import_files_process(
                batch=batch, files=first, worker="w1", defaults=defaults
            ),
            "w2": queue.import_files_process(
                batch=batch, files=second, worker="w2", defaults=defaults
            ),
        }
        counts["w1"] += queue.import_batch_process(batch_id=batch.pk, worker="w1")
    else:
        counts: dict[str, int] = {}
        errors: list = []
        threads = [
            threading.Thread(target=_run_worker, args=(batch.pk, name, counts, errors))
            for name in ("w1", "w2")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
    files = list(ImportFile.objects.filter(batch=batch))
    assert sum(counts.values()) == len(files) == 60
    assert all(f.attempts == 1 for f in files), "a file was claimed twice"
    assert all(f.outcome == ImportOutcome.IMPORTED for f in files)
    assert Article.objects.count() == 60
    assert {f.claimed_by for f in files} == {"w1", "w2"}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_the_files_another_worker_has_locked():
    """While one worker's claim transaction holds rows, another claims different ones."""
    batch = make_batch({f"f{i}.txt": article_text(i) for i in range(6)})
    if connection.vendor == "sqlite":
        # No row locks on SQLite: the whole claim is one IMMEDIATE (write-locked) transaction.
        with transaction.atomic():
            held = queue.import_files_claim(batch_id=batch.pk, worker="w1", size=3)
        other = queue.import_files_claim(batch_id=batch.pk, worker="w2", size=6)
        assert len(held) == 3 and len(other) == 3
        assert {f.pk for f in held}.isdisjoint({f.pk for f in other})
        return
    locked = threading.Event()
    release = threading.Event()
    held_ids: list[int] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                rows = (
                    ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING)
                    .order_by("pk")
                    .select_for_update(skip_locked=True)[:3]
                )
                held_ids.extend(r.pk for r in rows)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(30)
    other = queue.import_files_claim(batch_id=batch.pk, worker="w2", size=6)
    release.set()
    thread.join(30)
    assert len(held_ids) == 3
    assert {f.pk for f in other} == set(
        ImportFile.objects.filter(batch=batch).exclude(pk__in=held_ids).values_list("pk", flat=True)
    )


# ------------------------------------------------------------------------------ crash, resume


@pytest.mark.django_db(transaction=True)
def test_crash_mid_batch_then_resume_imports_every_article_once(settings, monkeypatch):
    settings.IMPORT_CLAIM_GROUP = 4
    entries = {f"f{i:02}.txt": article_text(i) for i in range(12)}
    batch = make_batch(entries)
    real_store = queue.articles_store
    calls = {"n": 0}

    def crash_on_second_group(*args, **kwargs):
        calls["n"] += 1
        results = real_store(*args, **kwargs)  # the group's articles are written …
        if calls["n"] == 2:
            raise RuntimeError("worker killed")  # … then the worker dies before committing
        return results

    monkeypatch.setattr(queue, "articles_store", crash_on_second_group)
    with pytest.raises(RuntimeError, match="worker killed"):
        queue.import_batch_process(batch_id=batch.pk, worker="dead")
    monkeypatch.setattr(queue, "articles_store", real_store)

    # The first group is fully imported; the second left nothing half-written.
    assert Article.objects.count() == 4
    for article in Article.objects.all():
        assert Claim.objects.filter(article=article).count() > 0
    stuck = ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING)
    assert stuck.filter(claimed_by="dead").count() == 4
    # Claimed by a dead worker: nobody else takes them before the claim times out …
    assert queue.import_batch_process(batch_id=batch.pk, worker="w2") == 4
    assert stuck.count() == 4
    # … or until the batch is resumed.
    assert tasks.import_batch_resume(batch_id=batch.pk) == 4
    queue.import_batch_process(batch_id=batch.pk, worker="w3")

    files = list(ImportFile.objects.filter(batch=batch))
    assert [f.outcome for f in files] == [ImportOutcome.IMPORTED] * 12
    assert Article.objects.count() == 12
    assert len({f.article_id for f in files}) == 12
    for f in files:
        assert f.claims_created == Claim.objects.filter(article_id=f.article_id).count() > 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


@pytest.mark.django_db
def test_stale_claims_are_taken_over_after_the_timeout(settings):
    batch = make_batch({"a.txt": article_text(1), "b.txt": article_text(2)})
    queue.import_files_claim(batch_id=batch.pk, worker="dead", size=2)
    assert queue.import_batch_process(batch_id=batch.pk, worker="w2") == 0
    ImportFile.objects.filter(batch=batch).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS + 1)
    )
    assert queue.import_batch_process(batch_id=batch.pk, worker="w2") == 2
    assert set(outcomes(batch).values()) == {ImportOutcome.IMPORTED}


@pytest.mark.django_db
def test_a_worker_whose_claim_was_taken_over_does_not_store_the_file(settings):
    batch = make_batch({"a.txt": article_text(1)})
    [file] = queue.import_files_claim(batch_id=batch.pk, worker="slow", size=1)
    tasks.import_batch_resume(batch_id=batch.pk)  # the slow worker was given up for dead
    assert queue.import_batch_process(batch_id=batch.pk, worker="w2") == 1
    # The slow worker finally finishes parsing: its claim is gone, it writes nothing.
    assert (
        queue.import_files_process(
            batch=batch, files=[file], worker="slow", defaults=StoreDefaults()
        )
        == 0
    )
    row = ImportFile.objects.get(batch=batch)
    assert (row.outcome, row.claimed_by) == (ImportOutcome.IMPORTED, "w2")
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_article_stored_but_outcome_lost_is_reported_imported_not_duplicate_of_itself():
    """An earlier attempt stored the article, its file's outcome was lost: still "imported"."""
    batch = make_batch({"a.txt": article_text(1), "copy.txt": article_text(1)})
    processed = process_document(article_text(1), source_name="batch.zip/a.txt", content_type="txt")
    [stored] = articles_store([processed], by=None)  # no batch row: lost outcome
    Article.objects.filter(pk=stored.article.pk).update(import_batch=batch)  # by this batch
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    a = ImportFile.objects.get(batch=batch, name="batch.zip/a.txt")
    copy = ImportFile.objects.get(batch=batch, name="batch.zip/copy.txt")
    assert (a.outcome, a.article_id) == (ImportOutcome.IMPORTED, stored.article.pk)
    assert a.claims_created == Claim.objects.filter(article=stored.article).count() > 0
    assert (copy.outcome, copy.duplicate_of_id) == (ImportOutcome.DUPLICATE, stored.article.pk)
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_file_that_keeps_crashing_the_worker_is_given_up(settings):
    batch = make_batch({"a.txt": article_text(1)})
    ImportFile.objects.filter(batch=batch).update(attempts=settings.IMPORT_MAX_ATTEMPTS)
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    row = ImportFile.objects.get(batch=batch)
    assert row.outcome == ImportOutcome.REJECTED
    assert "gave up after 3 attempts" in row.reason


# ------------------------------------------------------------------------------ outcomes


@pytest.mark.django_db
def test_same_article_in_a_later_batch_is_a_duplicate_of_the_first():
    first = make_batch({"herald.txt": sample_path("04").read_bytes()})
    queue.import_batch_process(batch_id=first.pk, worker="w1")
    article = ImportFile.objects.get(batch=first).article
    second = make_batch({"renamed/other-name.txt": sample_path("04").read_bytes()})
    queue.import_batch_process(batch_id=second.pk, worker="w1")
    row = ImportFile.objects.get(batch=second)
    assert row.outcome == ImportOutcome.DUPLICATE
    assert row.duplicate_of == article
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_batch_defaults_apply_only_where_the_page_says_nothing():
    northwind = PublisherFactory(name="Northwind Daily")
    day = timezone.make_aware(datetime(2024, 3, 5))
    batch = make_batch(
        {"bare.txt": article_text(1), "herald.txt": sample_path("04").read_bytes()},
        default_publisher=northwind,
        default_published=day,
    )
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    bare = ImportFile.objects.get(batch=batch, name="batch.zip/bare.txt").article
    herald = ImportFile.objects.get(batch=batch, name="batch.zip/herald.txt").article
    assert (bare.publisher, bare.published_at) == (northwind, day)
    assert herald.publisher.name == "The Lagoon Tribune"
    assert herald.published_at.year == 2016


@pytest.mark.django_db
def test_html_page_publisher_found_by_its_registered_domain():
    times = PublisherFactory(name="Global Times", domains=["globaltimes.cn"])
    page = (
        b'<html><head><title>Plant opens</title><meta property="og:site_name" content="GT">'
        b'<link rel="canonical" href="https://www.globaltimes.cn/page/1.shtml"></head><body>'
        b"<article><h1>Plant opens</h1><p>" + article_text(3) + b"</p></article></body></html>"
    )
    batch = make_batch({"gt.html": page})
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    article = ImportFile.objects.get(batch=batch).article
    assert article.publisher == times
    assert not Publisher.objects.filter(name="GT").exists()


@pytest.mark.django_db
def test_csv_report_lists_every_file_and_neutralises_formulas(client, make_user):
    admin = make_user("ada", "admin")
    batch = make_batch(
        {"good.txt": article_text(1), "=HYPERLINK(1).txt": b"", "@sum.txt": article_text(1)}
    )
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    client.force_login(admin)
    response = client.get(f"/sources/import/{batch.pk}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["file"] for r in rows] == [
        "batch.zip/good.txt",
        "batch.zip/=HYPERLINK(1).txt",
        "batch.zip/@sum.txt",
    ]
    good = ImportFile.objects.get(batch=batch, name="batch.zip/good.txt")
    assert rows[0]["outcome"] == "imported"
    assert rows[0]["article_id"] == str(good.article_id)
    assert rows[0]["claims"] == str(good.claims_created)
    assert rows[1]["outcome"] == "rejected" and "the file is empty" in rows[1]["reason"]
    assert rows[2]["outcome"] == "duplicate"
    # A name at the start of a cell that a spreadsheet would run as a formula is defused.
    entry = ImportFile.objects.create(
        batch=batch, name="=cmd|' /C calc'!A0", outcome="rejected", reason="-2+3"
    )
    body = b"".join(client.get(f"/sources/import/{batch.pk}/report.csv").streaming_content).decode()
    last = list(csv.DictReader(io.StringIO(body)))[-1]
    assert last["file"] == "'" + entry.name
    assert last["reason"] == "'-2+3"


@pytest.mark.django_db
def test_history_counts_files_by_outcome(client, make_user):
    admin = make_user("ada", "admin")
    batch = make_batch({"a.txt": article_text(1), "b.txt": article_text(1), "c.txt": b""})
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    client.force_login(admin)
    response = client.get("/sources/import/history/")
    assert response.status_code == 200
    [row] = [b for b in response.context["batches"] if b.pk == batch.pk]
    assert (row.total, row.imported, row.duplicate, row.rejected, row.pending) == (3, 1, 1, 1, 0)


# ------------------------------------------------------------------------------ workers


def _age_tasks(seconds: int) -> None:
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.django_db
def test_no_worker_is_detected_when_the_batch_task_waits_past_the_grace(
    settings, client, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = make_batch({"a.txt": article_text(1)})
    progress = import_batch_progress(batch=batch)
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK
    _age_tasks(settings.IMPORT_WORKER_GRACE_SECONDS + 5)
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.NO_WORKER
    client.force_login(make_user("ada", "admin"))
    page = client.get(f"/sources/import/{batch.pk}/").content.decode()
    assert "No worker is processing imports" in page
    assert ".venv/bin/python manage.py db_worker" in page


@pytest.mark.django_db
def test_waiting_behind_another_busy_import_is_not_no_worker(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        busy = make_batch({"a.txt": article_text(1), "b.txt": article_text(2)})
        waiting = make_batch({"c.txt": article_text(3)})
    _age_tasks(settings.IMPORT_WORKER_GRACE_SECONDS + 5)
    task = next(t for t in DBTaskResult.objects.all() if t.args_kwargs["args"] == [busy.pk])
    task.claim("worker-1")
    now = timezone.now()  # worker-1 beats: it is alive, busy with the other batch
    WorkerHeartbeat.objects.create(
        worker_id="worker-1", host="h", pid=1, started_at=now, beat_at=now
    )
    queue.import_files_claim(batch_id=busy.pk, worker="worker-1", size=1)
    progress = import_batch_progress(batch=waiting)
    assert import_worker_state(batch=waiting, progress=progress) == WorkerState.BUSY
    busy_progress = import_batch_progress(batch=busy)
    assert import_worker_state(batch=busy, progress=busy_progress) == WorkerState.OK


@pytest.mark.django_db
def test_batch_whose_worker_died_is_stalled_and_resume_enqueues_it_again(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = make_batch({"a.txt": article_text(1)})
    DBTaskResult.objects.get().claim("dead-worker")
    queue.import_files_claim(batch_id=batch.pk, worker="dead-worker", size=1)
    ImportFile.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS + 1)
    )
    progress = import_batch_progress(batch=batch)
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.STALLED
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.import_batch_resume(batch_id=batch.pk) == 1
    assert ImportFile.objects.get().claimed_by == ""
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert import_worker_state(batch=batch, progress=progress) == WorkerState.OK


@pytest.mark.django_db
def test_the_task_runs_the_batch(django_capture_on_commit_callbacks):
    batch = make_batch({"a.txt": article_text(1)})
    assert process_import_batch.call(batch.pk) == 1
    assert outcomes(batch) == {"batch.zip/a.txt": ImportOutcome.IMPORTED}


@pytest.mark.django_db(transaction=True)
def test_cli_imports_html_and_zips_through_the_same_readers(tmp_path):
    from django.core.management import call_command

    (tmp_path / "pages.zip").write_bytes(
        zip_of({"one.txt": article_text(1), "../up.txt": article_text(2)})
    )
    (tmp_path / "page.html").write_bytes(
        b"<html><head><title>Plant</title></head><body><article><p>"
        + article_text(3)
        + b"</p></article></body></html>"
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_articles", str(tmp_path), stdout=out, stderr=out)
    assert exit_code.value.code == 1
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith(f"{tmp_path}/page.html: imported with")
    assert f"{tmp_path}/pages.zip/one.txt: imported with" in lines[1] + lines[2]
    assert any("pages.zip/../up.txt: rejected:" in line and "'..'" in line for line in lines)
    assert lines[-1].startswith("3 files: 2 imported")
    assert Article.objects.filter(original_html__contains="<title>Plant</title>").count() == 1


@pytest.mark.django_db
def test_batch_page_counts_one_file_and_one_claim_in_the_singular(client, make_user):
    batch = make_batch({"empty.txt": b""})
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    client.force_login(make_user("ada", "admin"))

    page = client.get(f"/sources/import/{batch.pk}/").content.decode()

    assert "<strong>1 of 1 file</strong> done · 0 claims created" in page
    ImportFile.objects.filter(batch=batch).update(outcome="imported", claims_created=1)
    page = client.get(f"/sources/import/{batch.pk}/").content.decode()
    assert "done · 1 claim created" in page


@pytest.mark.django_db
def test_resuming_one_file_says_file_in_the_singular(client, make_user):
    batch = make_batch({"a.txt": article_text(1)})
    client.force_login(make_user("ada", "admin"))

    response = client.post(f"/sources/import/{batch.pk}/resume/", follow=True)

    assert f"Resumed import #{batch.pk}: 1 file to go." in response.content.decode()


@pytest.mark.django_db
def test_batch_page_shows_file_names_not_the_server_paths_they_were_read_from(client, make_user):
    drop = "/srv/workbench/drop/"
    batch = ImportBatch.objects.create(origin="command")
    for name, reason in (
        (f"{drop}gt-001.txt", f"{drop}gt-001.txt: empty file (nothing but white space)"),
        (f"{drop}batch.zip/world/a.txt", f"{drop}batch.zip/world/a.txt: binary file"),
    ):
        ImportFile.objects.create(batch=batch, name=name, outcome="rejected", reason=reason)
    client.force_login(make_user("ada", "admin"))

    page = client.get(f"/sources/import/{batch.pk}/").content.decode()

    assert drop not in page
    assert ">gt-001.txt</td>" in page
    assert "gt-001.txt: empty file (nothing but white space)" in page
    assert 'data-name="batch.zip/world/a.txt"' in page
    assert "batch.zip/world/a.txt: binary file" in page
