"""Fault: an import worker is killed (SIGKILL) in the middle of a batch. Prints what it saw.

Run:  .venv/bin/python bench/faults/worker_kill.py [--articles 600]

Uploads a zip of synthetic articles as an admin (the web path), starts a `db_worker`, kills
it with SIGKILL once part of the batch is done, checks that nothing is half-written, resumes
the batch (`import_batch_resume`, as the batch page's Resume button does) with a new worker,
and checks that every file ends with one outcome, every article is imported once with all its
claims and history. Scratch database: FAULT_DATABASE_URL (default …/workbench_faults_worker).
Exits 1 if a check fails, with the first failed check on standard error — also when a worker
exits on its own or imports nothing for --stall-seconds (its tasks did not run).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
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
    return worker


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--stall-seconds", type=float, default=120)
    args = parser.parse_args()
    print_calibration()
    url = django_setup(fresh=True, url=os.environ.get("FAULT_DATABASE_URL") or DEFAULT_URL)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db.models import Count

    from bench.corpus import sentence_pool, write_corpus
    from claims.models import Claim
    from imports.tasks import import_batch_resume
    from imports.uploads import import_batch_create_from_uploads
    from sources.models import Article, ImportFile, ImportOutcome, ImportStatus
    from workbench.models import User

    call_command("create_user", "fault-admin", role="admin", password="fault-Pa55-word!",
                 stdout=io.StringIO())  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="wb-kill-"))
    write_corpus(sentence_pool(SEEDS_DIR), folder, args.articles, seed=5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.txt")):
            archive.write(path, path.name)
    batch = import_batch_create_from_uploads(
        files=[SimpleUploadedFile("corpus.zip", buffer.getvalue())],
        by=User.objects.get(username="fault-admin"),
    )
    total = batch.files.count()

    def done() -> int:
        return ImportFile.objects.filter(batch=batch).exclude(outcome=ImportOutcome.PENDING).count()

    worker = start_worker(url, "doomed")
    wait_for(worker, "before the kill", done, max(1, total // 3), args.stall_seconds)
    os.kill(worker.pid, signal.SIGKILL)  # mid-batch, no chance to clean up
    worker.wait()
    at_kill = done()
    claimed = (
        ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING)
        .exclude(claimed_by="")
        .count()
    )
    half_written = Article.objects.filter(claims__isnull=True).count()
    print(f"database            : {url}")
    print(
        f"batch               : {total} files; worker killed (SIGKILL) after {at_kill} had "
        f"an outcome; {claimed} still claimed by the dead worker"
    )
    print(
        f"right after the kill: {half_written} articles without claims, "
        f"{Article.objects.count()} articles stored"
    )

    pending = import_batch_resume(batch_id=batch.pk)
    worker = start_worker(url, "rescuer")
    started = time.perf_counter()
    wait_for(worker, "after the resume", done, total, args.stall_seconds)
    batch.refresh_from_db()
    while batch.status != ImportStatus.DONE and time.perf_counter() - started < 600:
        time.sleep(0.25)
        batch.refresh_from_db()
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)

    outcomes = dict(batch.files.values_list("outcome").annotate(n=Count("id")).order_by())
    imported_articles = set(
        batch.files.filter(outcome=ImportOutcome.IMPORTED).values_list("article_id", flat=True)
    )
    files_per_article = (
        batch.files.filter(outcome=ImportOutcome.IMPORTED)
        .values("article_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )  # fmt: skip
    without_claims = Article.objects.filter(claims__isnull=True).count()
    without_history = Claim.objects.exclude(
        pk__in=Claim.history.filter(history_type="+").values("id")
    ).count()
    print(
        f"resumed             : {pending} pending files released to a new worker; batch "
        f"{batch.status} in {time.perf_counter() - started:.1f} s"
    )
    print(f"outcomes            : {outcomes}")
    print(
        f"articles            : {Article.objects.count()} stored, {len(imported_articles)} "
        f"imported by the batch, {files_per_article} imported twice, {without_claims} "
        f"without claims, {without_history} claims without history"
    )
    stored = Article.objects.count()
    checks = [
        (batch.status == ImportStatus.DONE, f"the batch is {batch.status}, not done"),
        (outcomes == {ImportOutcome.IMPORTED: total}, f"outcomes {outcomes}, not all imported"),
        (
            stored == total == len(imported_articles),
            f"{stored} articles stored, {len(imported_articles)} imported, of {total} files",
        ),
        (not files_per_article, f"{files_per_article} article(s) imported twice"),
        (not without_claims, f"{without_claims} article(s) without claims"),
        (not without_history, f"{without_history} claim(s) without history"),
        (half_written == 0, f"{half_written} half-written article(s) right after the kill"),
    ]
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
