"""Fault: an import worker is killed (SIGKILL) in the middle of a batch. Prints what it saw.

Run:  .venv/bin/python bench/faults/worker_kill.py [--articles 400] [--scenarios …]

For each scenario a zip of synthetic articles is uploaded as an admin (the web path) and a
`db_worker` ("doomed") imports it until it is SIGKILLed a third of the way through. Then:

- `alongside`: a second worker was running from the start, sharing the batch;
- `at-once`:   a second worker is started right after the kill;
- `later`:     the second worker is started only once the batch page says "no worker";
- `resume`:    the batch is resumed by hand (`import_batch_resume`, the page's Resume button)
               before the second worker starts — the way before heartbeats.

Measured from the kill: (a) the seconds until the batch page (its htmx poll, through the view)
stops saying all is well, and what it says then; (b) the seconds until every file the dead
worker had claimed is claimed by the second worker (or done); the seconds until the batch is
done. Checked: nothing half-written right after the kill, every file ends imported once with
its claims and their history, and the killed worker's task row ends (FAILED, not RUNNING).
No Resume is clicked except in `resume`. Heartbeat settings: IMPORT_WORKER_BEAT_SECONDS,
IMPORT_WORKER_DEAD_SECONDS from the environment (defaults 2 and 10 s). Scratch database:
FAULT_DATABASE_URL (default …/workbench_faults_worker). Exits 1 if a check fails, with the
first failed check on standard error — also when a worker exits on its own or imports
nothing for --stall-seconds (its tasks did not run).
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/workbench_faults_worker"

from bench._setup import (  # noqa: E402
    SEEDS_DIR,
    django_setup,
    fail,
    print_calibration,
    verdict,
)


def start_worker(url: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url}
    # The child keeps its own copy of the log's descriptor.
    with tempfile.NamedTemporaryFile(prefix=f"wb-{name}-", suffix=".log", delete=False) as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "--worker-id", name, "--verbosity", "0"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    worker.log = Path(log.name)  # type: ignore[attr-defined]
    worker.worker_id = name  # type: ignore[attr-defined]
    atexit.register(stop_worker, worker)  # a failed check must not leave it running
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait()


def wait_for(worker: subprocess.Popen, what: str, done, target: int, stall_seconds: float):
    """Wait until done() reaches target; fail if the worker exits or nothing moves."""
    last, moved = done(), time.perf_counter()
    while last < target:
        time.sleep(0.05)
        now_done = done()
        if now_done != last:
            last, moved = now_done, time.perf_counter()
        if worker.poll() is not None:
            err = worker.log.read_text(errors="replace").strip().splitlines()[-5:]
            fail(
                f"{what}: the worker exited ({worker.returncode}) at {last}/{target}; its log "
                f"({worker.log}) ends:\n" + "\n".join(err)
            )
        if time.perf_counter() - moved > stall_seconds:
            worker.kill()
            fail(
                f"{what}: no file got an outcome for {stall_seconds:g} s ({last} of {target}):"
                " the worker is not running the batch's tasks"
            )


SCENARIOS = ("alongside", "at-once", "later", "resume")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--stall-seconds", type=float, default=120)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = parser.parse_args()
    scenarios = args.scenarios.split(",")
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"--scenarios: unknown {', '.join(sorted(unknown))} (of {SCENARIOS})")
    print_calibration()
    url = django_setup(fresh=True, url=os.environ.get("FAULT_DATABASE_URL") or DEFAULT_URL)

    from django.conf import settings
    from django.core.management import call_command

    call_command("create_user", "fault-admin", role="admin", password="fault-Pa55-word!",
                 stdout=io.StringIO())  # fmt: skip
    print(f"database            : {url}")
    print(
        f"heartbeat           : a beat every {settings.IMPORT_WORKER_BEAT_SECONDS:g} s, dead "
        f"after {settings.IMPORT_WORKER_DEAD_SECONDS:g} s; the page polls every 1 s"
    )
    checks: list[tuple[bool, str]] = []
    for seed, scenario in enumerate(scenarios, start=5):
        checks += run_scenario(url, scenario, args.articles, seed, args.stall_seconds)
    return verdict(checks)


def upload_batch(articles: int, seed: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.corpus import sentence_pool, write_corpus
    from imports.uploads import import_batch_create_from_uploads
    from workbench.models import User

    folder = Path(tempfile.mkdtemp(prefix="wb-kill-"))
    write_corpus(sentence_pool(SEEDS_DIR), folder, articles, seed=seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.txt")):
            archive.write(path, path.name)
    return import_batch_create_from_uploads(
        files=[SimpleUploadedFile("corpus.zip", buffer.getvalue())],
        by=User.objects.get(username="fault-admin"),
    )


def page_says(client, batch) -> str:
    """What the batch page's progress panel (the htmx poll) says about the workers."""
    html = client.get(f"/sources/import/{batch.pk}/", headers={"HX-Request": "true"})
    text = html.content.decode()
    if "No worker is processing imports" in text:
        return "no worker"
    if "another worker is taking over" in text:
        return "taking over"
    if "This import has stopped" in text:
        return "stopped (Resume)"
    if "workers are busy" in text:
        return "busy"
    return "ok"


def run_scenario(url: str, scenario: str, articles: int, seed: int, stall_seconds: float):
    from django.db.models import Count
    from django.tasks import TaskResultStatus
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from claims.models import Claim
    from imports.tasks import import_batch_resume
    from sources.models import Article, ImportFile, ImportOutcome, ImportStatus
    from workbench.models import User

    client = Client()
    client.force_login(User.objects.get(username="fault-admin"))
    batch = upload_batch(articles, seed)
    batch.refresh_from_db()
    total = batch.files.count()
    print(f"--- {scenario}: {total} files, {len(batch.task_ids)} task(s)")

    def done() -> int:
        return ImportFile.objects.filter(batch=batch).exclude(outcome=ImportOutcome.PENDING).count()

    rescuer = start_worker(url, f"rescuer-{scenario}") if scenario == "alongside" else None
    rescuer_started = time.perf_counter()  # alongside: before the kill; else set below
    doomed = start_worker(url, f"doomed-{scenario}")
    wait_for(doomed, "before the kill", done, max(1, total // 3), stall_seconds)
    killed_at = time.perf_counter()
    os.kill(doomed.pid, signal.SIGKILL)  # mid-batch, no chance to clean up
    doomed.wait()
    pending = ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING)
    orphans = set(
        pending.filter(claimed_by__startswith=f"{socket.gethostname()}:{doomed.pid}:")
        .values_list("pk", flat=True)
    )  # fmt: skip
    killed_tasks = [
        t.pk for t in DBTaskResult.objects.running() if t.worker_ids[-1:] == [doomed.worker_id]
    ]
    half_written = Article.objects.filter(import_batch=batch, claims__isnull=True).count()
    print(
        f"killed              : after {done()} files had an outcome; {len(orphans)} claimed by "
        f"the dead worker; {len(killed_tasks)} task(s) it was running; {half_written} "
        "articles without claims"
    )

    said: dict[str, float] = {}
    took_over = finished = None
    resumed = None
    while finished is None:
        now = time.perf_counter() - killed_at
        state = page_says(client, batch)
        said.setdefault(state, now)
        if rescuer is None:
            start = scenario == "at-once" or (scenario == "later" and "no worker" in said)
            if scenario == "resume" and "no worker" in said:
                resumed = import_batch_resume(batch_id=batch.pk)
                start = True
            if start:
                rescuer = start_worker(url, f"rescuer-{scenario}")
                rescuer_started = time.perf_counter()
                said.setdefault("(second worker started)", now)
        elif rescuer.poll() is not None:
            fail(f"{scenario}: the second worker exited ({rescuer.returncode}); log {rescuer.log}")
        if took_over is None and rescuer is not None:
            mine = f"{socket.gethostname()}:{rescuer.pid}:"
            left = ImportFile.objects.filter(pk__in=orphans, outcome=ImportOutcome.PENDING)
            if not left.exclude(claimed_by__startswith=mine).exists():
                took_over = now
        batch.refresh_from_db()
        if batch.status == ImportStatus.DONE and took_over is not None:
            finished = now
        elif now > stall_seconds:
            fail(f"{scenario}: not done {stall_seconds:g} s after the kill ({done()}/{total})")
        time.sleep(0.1)
    rescuer.send_signal(signal.SIGTERM)
    rescuer.wait(timeout=60)

    order = sorted(said.items(), key=lambda item: item[1])
    print("page said           : " + ", ".join(f"{state!r} at {t:.1f} s" for state, t in order))
    if resumed is not None:
        print(f"resumed by hand     : {resumed} pending files released")
    since_start = killed_at + took_over - rescuer_started
    print(
        f"taken over          : the dead worker's {len(orphans)} files by the second worker "
        f"{took_over:.1f} s after the kill ({since_start:.1f} s after it started); "
        f"batch done at {finished:.1f} s"
    )
    outcomes = dict(batch.files.values_list("outcome").annotate(n=Count("id")).order_by())
    imported = batch.files.filter(outcome=ImportOutcome.IMPORTED)
    imported_articles = set(imported.values_list("article_id", flat=True))
    twice = imported.values("article_id").annotate(n=Count("id")).filter(n__gt=1).count()
    stored = Article.objects.filter(import_batch=batch)
    without_claims = stored.filter(claims__isnull=True).count()
    without_history = (
        Claim.objects.filter(article__import_batch=batch)
        .exclude(pk__in=Claim.history.filter(history_type="+").values("id"))
        .count()
    )
    task_rows = dict(
        DBTaskResult.objects.filter(pk__in=killed_tasks).values_list("status").annotate(n=Count("id"))
        .order_by()
    )  # fmt: skip
    print(
        f"outcomes            : {outcomes}; {stored.count()} articles stored, {twice} imported "
        f"twice, {without_claims} without claims, {without_history} claims without history; "
        f"the killed worker's task rows: {task_rows}"
    )
    name = f"{scenario}: "
    # With a live worker on the batch the page rightly goes on saying all is well.
    alone = scenario in ("later", "resume")
    return [
        (
            outcomes == {ImportOutcome.IMPORTED: total},
            f"{name}outcomes {outcomes}, not all imported",
        ),
        (
            stored.count() == total == len(imported_articles),
            f"{name}{stored.count()} stored, {len(imported_articles)} imported, of {total}",
        ),
        (not twice, f"{name}{twice} article(s) imported twice"),
        (not without_claims, f"{name}{without_claims} article(s) without claims"),
        (not without_history, f"{name}{without_history} claim(s) without history"),
        (half_written == 0, f"{name}{half_written} half-written article(s) right after the kill"),
        (bool(killed_tasks), f"{name}the killed worker was running no task"),
        (
            task_rows == {TaskResultStatus.FAILED: len(killed_tasks)},
            f"{name}the killed worker's task rows are {task_rows}, not all FAILED",
        ),
        (not alone or "no worker" in said, f"{name}the page never said no worker: {said}"),
    ]


if __name__ == "__main__":
    sys.exit(main())
