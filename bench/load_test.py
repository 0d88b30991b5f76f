"""Load: 20 concurrent reviewers against gunicorn + PostgreSQL with 1,000,000 claims.

Run:  .venv/bin/python bench/load_test.py [--users 20] [--minutes 5] [--workers 4]

Uses the million-claim database of bench/triage_pages.py (built first if missing), starts
gunicorn on a loopback port and locust headless with bench/load/locustfile.py, bounded in
time, then prints requests/s, p50/p95/p99 and errors per request type and in total.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench_bench_1m")

from bench._setup import django_setup, start_gunicorn  # noqa: E402

PASSWORD = "load-Test-password-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    url = django_setup(fresh=False)
    from django.contrib.auth.models import Group

    from bench.triage_pages import load
    from claims.models import Claim
    from workbench.models import User

    if not Claim.objects.exists():
        load(1_000_000)
    reviewer = Group.objects.get(name="reviewer")
    for n in range(args.users):
        user, _ = User.objects.get_or_create(username=f"reviewer{n}")
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(reviewer)

    server, host, env = start_gunicorn(
        url, workers=args.workers, timeout=60, LOAD_PASSWORD=PASSWORD
    )
    try:
        out = Path(tempfile.mkdtemp(prefix="wb-load-")) / "run"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench/load/locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 5)),
                "-t",
                f"{int(args.minutes * 60)}s",
                "--host",
                host,
                "--csv",
                str(out),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            timeout=args.minutes * 60 + 120,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"database : {url}, {Claim.objects.count():,} claims; gunicorn -w {args.workers}; "
        f"{args.users} users for {args.minutes:g} min on loopback"
    )
    print(f"{'request':28} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    with open(f"{out}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            print(
                f"{row['Name'][:28]:28} {row['Request Count']:>7} {row['Failure Count']:>5} "
                f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} "
                f"{row['99%']:>6}"
            )
    print("(times in ms)")


if __name__ == "__main__":
    main()
