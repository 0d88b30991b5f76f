"""Fault: an import worker is killed (SIGKILL) in the middle of a batch. Prints what it saw.

Run:  .venv/bin/python bench/faults/worker_kill.py [--articles 600]

Uploads a zip of synthetic articles as an admin (the web path), starts a `db_worker`, kills
it with SIGKILL once part of the batch is done, checks that nothing is half-written, resumes
the batch (`import_batch_resume`, as the batch page's Resume button does) with a new worker,
and checks that every file ends with one outcome, every article is imported once with all its
claims and history. Scratch database: FAULT_DATABASE_URL (default …/workbench_faults_worker).
Exits 1 if a check fails.
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
os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "FAULT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench_faults_worker"
)

from bench._setup import SEEDS_DIR, django_setup  # noqa: E402


def start_worker(url: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2", "--worker-id", name, "--verbosity", "0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    args = parser.parse_args()
    url = django_setup(fresh=True)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db.models import Count

    from bench.corpus import sentence_pool, write_corpus
    from claims.models import Claim
    from sources.models import Article, ImportFile, ImportOutcome, ImportStatus
    from sources.services import import_batch_create_from_uploads, import_batch_resume
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
    started = time.perf_counter()
    while done() < total // 3 and time.perf_counter() - started < 300:
        time.sleep(0.05)
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
    ok = (
        batch.status == ImportStatus.DONE
        and outcomes == {ImportOutcome.IMPORTED: total}
        and Article.objects.count() == total == len(imported_articles)
        and not files_per_article
        and not without_claims
        and not without_history
        and half_written == 0
    )
    print("RESULT              :", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
