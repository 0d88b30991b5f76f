"""Load: 20 concurrent reviewers against gunicorn + PostgreSQL with 1,000,000 claims.

Run:  .venv/bin/python bench/load_test.py [--users 20] [--minutes 5] [--workers 4]
                                          [--baseline-seconds 30] [--claims N] [--reuse]
      .venv/bin/python bench/load_test.py --host http://… (a server already running)

Builds its own database (BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "load"; recreated
unless --reuse) with bench/triage_pages.py's `load()`, vacuumed, starts gunicorn in production
mode on a loopback port (static files collected first; it must answer its login page with 200)
and runs locust headless with bench/load/locustfile.py twice on the same data: first ONE user
sending the same requests back to back for --baseline-seconds (the baseline: each page's
single-user time), then --users users with 1–3 s between requests for --minutes. Prints per
request type the count, failures, requests/s, p50/p95/p99 under load, the single-user p50
and the ratio of the two (how much slower a page gets under load).

Fails (exit 1, the first error printed) when a run sent no request, any request failed (an
error status, a page that sent the user to log in), a user could not log in, or locust
itself exited with an error. Locust's log is kept in a file and its tail printed then.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._setup import (  # noqa: E402
    django_setup,
    fail,
    print_calibration,
    production_env,
    ratio,
    start_gunicorn,
)

PASSWORD = "load-Test-password-1"


@dataclass
class Run:
    label: str
    rows: dict[str, dict]  # request name → locust's stats row ("Aggregated" included)
    log: Path


def run_locust(host: str, env: dict, *, label: str, users: int, seconds: int, wait: str = ""):
    """Run locust headless against `host`; check that it did its work; return its stats."""
    out = Path(tempfile.mkdtemp(prefix="wb-load-"))
    log = out / "locust.log"
    env = env | {"LOAD_USERS": str(users)}
    if wait:
        env["LOAD_WAIT"] = wait
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"),
        "--headless", "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
        "--host", host, "--csv", str(out / "run"), "--only-summary", "--stop-timeout", "10",
    ]  # fmt: skip
    with log.open("wb") as handle:
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                timeout=seconds + 180, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            fail(f"{label}: locust did not stop {seconds + 180} s after starting; log {log}")
    run = Run(label, _read(out / "run_stats.csv"), log)
    check(run, done.returncode, out)
    return run


def _read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def check(run: Run, returncode: int, out: Path) -> None:
    """Fail at the first sign that the run measured nothing or measured errors."""

    def tail() -> str:
        lines = run.log.read_text(errors="replace").strip().splitlines()
        return f"\nlocust's log ({run.log}), last lines:\n" + "\n".join(lines[-15:])

    exceptions = list(csv.DictReader((out / "run_exceptions.csv").open(newline="")))
    if exceptions:
        first = exceptions[0]
        fail(
            f"{run.label}: {sum(int(e['Count']) for e in exceptions)} exception(s) in the "
            f"simulated users, the first ({first['Count']}×): {first['Message']}" + tail()
        )
    failures = list(csv.DictReader((out / "run_failures.csv").open(newline="")))
    if failures:
        first = failures[0]
        fail(
            f"{run.label}: {sum(int(f['Occurrences']) for f in failures)} failed request(s), "
            f"the first ({first['Occurrences']}×): {first['Method']} {first['Name']}: "
            f"{first['Error']}" + tail()
        )
    total = run.rows.get("Aggregated", {})
    if not total or int(total["Request Count"]) == 0:
        fail(f"{run.label}: no request was sent; nothing was measured" + tail())
    if returncode != 0:
        fail(f"{run.label}: locust exited with status {returncode}" + tail())


def prepare(args) -> tuple[str, dict, object]:
    """The bench's own database and gunicorn; returns (host, env, server)."""
    url = django_setup(fresh=not args.reuse, name="load")
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from bench.triage_pages import load
    from claims.models import Claim
    from workbench.models import User

    if not Claim.objects.exists():
        load(args.claims)
    reviewer = Group.objects.get(name="reviewer")
    password = make_password(PASSWORD)
    for n in range(args.users):
        user, _ = User.objects.get_or_create(username=f"reviewer{n}")
        user.password = password
        user.save()
        user.groups.add(reviewer)
    print(f"database        : {url}, {Claim.objects.count():,} claims; gunicorn -w {args.workers}")
    server, host, env = start_gunicorn(
        url, workers=args.workers, timeout=60, LOAD_PASSWORD=PASSWORD
    )
    return host, env, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--baseline-seconds", type=int, default=30)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument(
        "--host", help="measure a server already running there (its users must exist)"
    )
    args = parser.parse_args()

    print_calibration()
    server = None
    if args.host:
        host, env = args.host.rstrip("/"), production_env("") | {"LOAD_PASSWORD": PASSWORD}
        print(f"server          : {host} (not started by the bench)")
    else:
        host, env, server = prepare(args)
    try:
        single = run_locust(
            host, env, label="single user", users=1, seconds=args.baseline_seconds, wait="0"
        )
        loaded = run_locust(
            host, env, label=f"{args.users} users", users=args.users,
            seconds=int(args.minutes * 60),
        )  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    print(
        f"load            : {args.users} users for {args.minutes:g} min on loopback, 1–3 s "
        f"between requests; baseline: 1 user, back to back, {args.baseline_seconds} s"
    )
    print(
        f"{'request':22} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'1-user p50':>10} {'p50 / 1-user':>12}"
    )
    for name, row in loaded.rows.items():
        alone = single.rows.get(name)
        alone_p50 = float(alone["50%"]) if alone and alone["50%"] != "N/A" else 0.0
        slower = f"{ratio(float(row['50%']), alone_p50):11.1f}×" if alone_p50 else f"{'–':>12}"
        print(
            f"{name[:22]:22} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{alone_p50 or '–':>10} {slower}"
        )
    print("(times in ms; p50 / 1-user: how many times slower the median is under load)")


if __name__ == "__main__":
    main()
