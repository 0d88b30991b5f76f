"""Bulk import through the web path on PostgreSQL: upload a zip, `db_worker`s import it.

Run:  .venv/bin/python bench/bulk_import.py [--articles 10000] [--workers 1 2]
Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/workbench_bulk_import, its
own database so other benches running at the same time are not disturbed), which it drops
and recreates for every round. Each round: build a zip of synthetic articles
(bench/corpus.py), upload it as an admin through Django's test client (the real view and
service), start N `manage.py db_worker --batch` processes, wait until the batch is done.
Prints the upload time, the processing time, files/s and claims/s per round, and each
worker's resident memory sampled over the run (flat = the worker does not grow with the
batch).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import ROOT, SEEDS_DIR, _create_postgres, django_setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/workbench_bulk_import"


def build_zip(count: int) -> tuple[bytes, int]:
    """A zip of `count` distinct synthetic page dumps; return it and the unpacked bytes."""
    import random

    from bench.corpus import sentence_pool, synthetic_article

    pool = sentence_pool(SEEDS_DIR)
    rng = random.Random(2026)
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            data = synthetic_article(pool, n, rng).encode("utf-8")
            total += len(data)
            archive.writestr(f"corpus/article-{n:06d}.txt", data)
    return buffer.getvalue(), total


def rss_of(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def one_round(zip_bytes: bytes, workers: int, url: str) -> dict:
    """Fresh database, upload, run `workers` db_worker processes until the batch is done."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count, Sum
    from django.test import Client

    from sources.models import ImportBatch, ImportFile, ImportOutcome, ImportStatus

    connections.close_all()
    _create_postgres(url, drop=True)
    call_command("migrate", verbosity=0)
    call_command(
        "create_user",
        "bench-admin",
        role="admin",
        password="bench-Pa55-word!",
        stdout=io.StringIO(),
    )
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    started = time.perf_counter()
    response = client.post(
        "/sources/import/",
        {"files": SimpleUploadedFile("corpus.zip", zip_bytes, content_type="application/zip")},
    )
    assert response.status_code == 302, response.content[:500]
    uploaded = time.perf_counter() - started
    batch = ImportBatch.objects.get()
    total = batch.files.count()

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                f"bench-{workers}-{i}",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        for i in range(workers)
    ]
    work_started = time.perf_counter()
    samples: list[tuple[float, int, list[float]]] = []  # (seconds, files done, RSS per worker)
    while True:
        pending = ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING).count()
        samples.append(
            (time.perf_counter() - work_started, total - pending, [rss_of(p.pid) for p in procs])
        )
        batch.refresh_from_db()
        if batch.status == ImportStatus.DONE or all(p.poll() is not None for p in procs):
            break
        time.sleep(0.5)
    processing = time.perf_counter() - work_started
    for p in procs:
        p.wait(timeout=120)
    claims = batch.files.aggregate(n=Sum("claims_created"))["n"] or 0
    counts = dict(batch.files.values_list("outcome").annotate(n=Count("id")).order_by())
    return {
        "workers": workers,
        "files": total,
        "outcomes": counts,
        "claims": claims,
        "upload_s": uploaded,
        "processing_s": processing,
        "samples": samples,
        "done": batch.status == ImportStatus.DONE,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    url = os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("The bulk-import bench needs PostgreSQL (BENCH_DATABASE_URL).")
    django_setup(fresh=True)
    t0 = time.perf_counter()
    zip_bytes, unpacked = build_zip(args.articles)
    print(
        f"corpus: {args.articles:,} articles, {unpacked / 1e6:.1f} MB unpacked, "
        f"zip {len(zip_bytes) / 1e6:.1f} MB (built in {time.perf_counter() - t0:.1f} s)"
    )
    for workers in args.workers:
        r = one_round(zip_bytes, workers, url)
        total_s = r["upload_s"] + r["processing_s"]
        print(
            f"\n{workers} worker{'s' if workers > 1 else ''}: {'done' if r['done'] else 'NOT DONE'}"
        )
        print(f"  outcomes: {r['outcomes']}, claims created: {r['claims']:,}")
        print(f"  upload (POST, unpack, store {r['files']:,} files): {r['upload_s']:.1f} s")
        secs = r["processing_s"]
        print(
            f"  processing: {secs:.1f} s — {r['files'] / secs:.0f} files/s, "
            f"{r['claims'] / secs:.0f} claims/s"
        )
        print(f"  total: {total_s:.1f} s — {r['claims'] / total_s:.0f} claims/s end to end")
        samples = r["samples"]
        peaks = [max(s[2][i] for s in samples) for i in range(workers)]
        print(f"  worker peak RSS: {', '.join(f'{p:.0f} MB' for p in peaks)}")
        print("  worker RSS over the run (files done → MB per worker):")
        step = max(1, len(samples) // 8)
        for seconds, done, rss in [*samples[::step], samples[-1]]:
            mb = ", ".join(f"{m:.0f}" for m in rss)
            print(f"    {seconds:6.1f} s  {done:6,} files  {mb}")


if __name__ == "__main__":
    main()
