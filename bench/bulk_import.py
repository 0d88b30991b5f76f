"""Bulk import through the web path on PostgreSQL: upload a zip, `db_worker`s import it.

Run:  .venv/bin/python bench/bulk_import.py [--articles 10000] [--workers 1 2]
                                            [--naive-sample 200] [--stall-seconds 120]

Uses BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "bulk_import" (its own database, so
other benches running at the same time are not disturbed), dropped and recreated for every
round. Each round: build a zip of synthetic articles (bench/corpus.py), upload it as an admin
through Django's test client (the real view and service), start N `manage.py db_worker
--batch` processes, wait until the batch is done. Prints the upload time, the processing
time, files/s and claims/s per round, and each worker's resident memory sampled over the run
(flat = the worker does not grow with the batch). Baseline, in the last round's database:
the first --naive-sample articles of the same zip stored the naive way, one `save()` per
claim (bench/ingest_throughput.py's `naive_store`); each round's claims/s end to end is
printed as a multiple of it.

Fails (exit 1, the first error printed) when the upload is refused, the batch does not hold
every file, its tasks did not run (the workers exited, or no file got an outcome for
--stall-seconds, with files still pending), a file was not imported, or a worker failed.
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

from bench._setup import (
    ROOT,
    SEEDS_DIR,
    database_url,
    django_setup,
    fail,
    prepare_database,
    print_calibration,
    ratio,
)


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


def start_workers(url: str, workers: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": url}
    procs = []
    for i in range(workers):
        command = [
            sys.executable, "manage.py", "db_worker", "--batch", "--no-reload",
            "--no-startup-delay", "--interval", "0.2", "--worker-id", f"bench-{workers}-{i}",
            "--verbosity", "0",
        ]  # fmt: skip
        procs.append(subprocess.Popen(command, cwd=ROOT, env=env))
    return procs


def one_round(zip_bytes: bytes, workers: int, url: str, stall_seconds: float) -> dict:
    """Fresh database, upload, run `workers` db_worker processes until the batch is done."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count, Sum
    from django.test import Client

    from sources.models import ImportBatch, ImportFile, ImportOutcome, ImportStatus

    connections.close_all()
    prepare_database(url, drop=True)
    call_command("migrate", verbosity=0)
    call_command(
        "create_user", "bench-admin", role="admin", password="bench-Pa55-word!",
        stdout=io.StringIO(),
    )  # fmt: skip
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    started = time.perf_counter()
    response = client.post(
        "/sources/import/",
        {"files": SimpleUploadedFile("corpus.zip", zip_bytes, content_type="application/zip")},
    )
    if response.status_code != 302:
        fail(f"the upload answered {response.status_code}, not 302: {response.content[:300]!r}")
    uploaded = time.perf_counter() - started
    batch = ImportBatch.objects.get()
    total = batch.files.count()

    procs = start_workers(url, workers)
    work_started = time.perf_counter()
    samples: list[tuple[float, int, list[float]]] = []  # (seconds, files done, RSS per worker)
    last_done, last_progress, stalled = -1, work_started, False
    while True:
        pending = ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.PENDING).count()
        now = time.perf_counter()
        samples.append((now - work_started, total - pending, [rss_of(p.pid) for p in procs]))
        if total - pending != last_done:
            last_done, last_progress = total - pending, now
        batch.refresh_from_db()
        if batch.status == ImportStatus.DONE or all(p.poll() is not None for p in procs):
            break
        if now - last_progress > stall_seconds:
            stalled = True
            break
        time.sleep(0.5)
    processing = time.perf_counter() - work_started
    for p in procs:
        if p.poll() is None and batch.status != ImportStatus.DONE:
            p.kill()
        p.wait(timeout=120)
    claims = batch.files.aggregate(n=Sum("claims_created"))["n"] or 0
    counts = dict(batch.files.values_list("outcome").annotate(n=Count("id")).order_by())
    if batch.status != ImportStatus.DONE:
        why = f"no file got an outcome for {stall_seconds:g} s" if stalled else "the workers exited"
        fail(
            f"{workers} worker(s): the batch's tasks did not run — {why} with "
            f"{counts.get(ImportOutcome.PENDING, 0):,} of {total:,} files pending "
            f"(outcomes {counts}; worker exit codes {[p.returncode for p in procs]})"
        )
    if counts != {ImportOutcome.IMPORTED: total}:
        first = batch.files.exclude(outcome=ImportOutcome.IMPORTED).first()
        fail(
            f"{workers} worker(s): not every file was imported, outcomes {counts}; first: "
            f"{first.name}: {first.outcome} {first.reason}"
        )
    if not claims:
        fail(f"{workers} worker(s): {total:,} files imported with no claim")
    if failed := [p.returncode for p in procs if p.returncode != 0]:
        fail(f"{workers} worker(s): a worker exited with status {failed[0]}")
    return {
        "workers": workers,
        "files": total,
        "outcomes": counts,
        "claims": claims,
        "upload_s": uploaded,
        "processing_s": processing,
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--stall-seconds", type=float, default=120)
    args = parser.parse_args()

    print_calibration()
    url = database_url("bulk_import")
    django_setup(fresh=True, url=url)
    print(f"database: {url}")
    t0 = time.perf_counter()
    zip_bytes, unpacked = build_zip(args.articles)
    print(
        f"corpus: {args.articles:,} articles, {unpacked / 1e6:.1f} MB unpacked, "
        f"zip {len(zip_bytes) / 1e6:.1f} MB (built in {time.perf_counter() - t0:.1f} s)"
    )
    rounds = []
    for workers in args.workers:
        r = one_round(zip_bytes, workers, url, args.stall_seconds)
        rounds.append(r)
        total_s = r["upload_s"] + r["processing_s"]
        print(f"\n{workers} worker{'s' if workers > 1 else ''}: done")
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

    if args.naive_sample:
        from bench.ingest_throughput import naive_store

        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            names = archive.namelist()[: args.naive_sample]
            sample = [(Path(name).name, archive.read(name)) for name in names]
        naive_claims, naive_time = naive_store(sample, atomic=False)
        naive_rate = naive_claims / naive_time
        print(
            f"\nbaseline: naive save() (autocommit), {len(sample)} of the same articles: "
            f"{naive_rate:,.0f} claims/s ({naive_claims:,} claims in {naive_time:.1f} s)"
        )
        for r in rounds:
            end_to_end = r["claims"] / (r["upload_s"] + r["processing_s"])
            print(
                f"  {r['workers']} worker(s): {end_to_end:,.0f} claims/s end to end = "
                f"{ratio(end_to_end, naive_rate):.1f}× naive"
            )


if __name__ == "__main__":
    main()
