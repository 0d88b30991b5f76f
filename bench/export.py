"""Export over 1,000,000 claims to CSV and JSON Lines on PostgreSQL, against a plain COPY.

Run:  .venv/bin/python bench/export.py [--claims 1300000] [--cases plain-csv,plain-jsonl,...]
                                       [--reuse] [--limit N]

Uses its own database (BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "export"; recreated
unless --reuse), loaded with bench/triage_pages.py's `load()` (the samples' articles copied
up to --claims claims, 3% with a corroboration; chrome lines are claims too but are not
exported, so 1.3M claims give just over 1M exportable ones) and then given what reviewers
add: verdicts with their reviewer, two ratings on 15% of the claims, a note on 5%, and
history rows (one per claim, one more per verdict, rating and note); then VACUUM ANALYZE.

Baseline: a plain PostgreSQL `COPY (SELECT …) TO STDOUT` of the same rows (the selection's
claims with the plain columns, claim and article) into a file — the physical limit of
reading them out; each case prints its rate as a fraction of it (goal for the full record:
≥ 0.4× COPY). Each case runs in its own process (peak RSS only grows, so one process per
case keeps the figures apart) and streams every triageable claim, all statuses, through
`claims.exports.Export` — the code the command and the web view use — into a file, content
hash included:

- plain-*: the per-claim columns (claim + article);
- full-*:  the full record (context sentences, corroborations, ratings, notes, history
  counts).

Both are built in SQL and streamed with binary COPYs, one per chunk of article ids, on
three connections sharing one snapshot (claims/exports_sql.py: the path PostgreSQL takes).
full-*-python (not run by default) builds the same records from model instances with
per-chunk prefetches, the SQLite/ClaimReview path.

Each case then reads its file back and counts the records (JSON Lines: lines; CSV: rows, as
a CSV reader sees them): fewer or more than the selection holds fails the bench (exit 1).
Prints rows/s, the ratio to COPY and the growth of peak RSS over the process's RSS before
the export started.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import (
    django_setup,
    fail,
    goal_text,
    print_calibration,
    ratio,
    rss_mb,
    vacuum_analyze,
)
from workbench.db import is_postgres

CASES = ("plain-csv", "plain-jsonl", "full-csv", "full-jsonl")
GOAL_FULL = 0.4  # the full record at ≥ 0.4× the rate of a plain COPY of the same rows


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def selection(limit: int | None):
    """Every triageable claim, all statuses, as the export command selects them."""
    from django.http import QueryDict

    from claims.exports import export_queryset
    from claims.triage import parse_filters

    queryset = export_queryset(parse_filters(QueryDict("status=all")), None)
    return queryset[:limit] if limit else queryset


def records_in(handle, fmt: str) -> int:
    """Count the records of an export file: JSON Lines lines, CSV rows after the header."""
    handle.seek(0)
    if fmt == "jsonl":
        count, last = 0, b"\n"
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
        return count + (last != b"\n")
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    try:
        return max(0, sum(1 for _ in csv.reader(text)) - 1)
    finally:
        text.detach()


def copy_baseline(limit: int | None) -> tuple[int, float, int]:
    """COPY the selection's rows (plain columns) to a file: (rows, seconds, bytes)."""
    import psycopg
    from django.db import connection

    from claims.exports import PLAIN_COLUMNS

    sql, params = selection(limit).values_list(*PLAIN_COLUMNS).query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    bound = psycopg.ClientCursor(raw).mogrify(sql, params)
    size = 0
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+b") as out:
        with raw.cursor() as cur, cur.copy(f"COPY ({bound}) TO STDOUT") as copy:
            for data in copy:
                out.write(data)
                size += len(data)
        elapsed = time.perf_counter() - started
        # Text format: one line per row (newlines inside values are escaped).
        rows = records_in(out, "jsonl")
    return rows, elapsed, size


def run_case(case: str, limit: int | None, copy_rate: float) -> None:
    """Export once in this process, check the file holds the selection, print one line."""
    django_setup(fresh=False, name="export")
    from claims.exports import Export

    detail, fmt, *path = case.split("-")
    queryset = selection(limit)
    expected = queryset.count()
    if not expected:
        fail(f"{case}: the selection is empty; nothing to export")
    export = Export(queryset, fmt, detail=detail, sql=path != ["python"])
    before = current_rss_mb()
    started = time.perf_counter()
    size = 0
    with tempfile.TemporaryFile("w+b") as out:
        for chunk in export.stream():
            out.write(chunk)
            size += len(chunk)
        elapsed = time.perf_counter() - started
        peak = rss_mb()
        found = records_in(out, fmt)
    if found != expected:
        fail(
            f"{case}: the file holds {found:,} records, the selection {expected:,} claims "
            f"({size:,} bytes written)"
        )
    if export.tally.count != expected:
        fail(f"{case}: the export counted {export.tally.count:,} claims of {expected:,}")
    rows = export.tally.count
    rate = rows / elapsed
    versus = ""
    if copy_rate:
        times = ratio(rate, copy_rate)
        goal = goal_text(times, GOAL_FULL if detail == "full" else None)
        versus = f"  {times:4.2f}× COPY" + (f"  {goal}" if goal else "")
    print(
        f"{case:18} {rows:>10,} rows {elapsed:7.1f} s {rate:>10,.0f} rows/s "
        f"{size / 1e6:8.0f} MB   peak RSS +{peak - before:5.1f} MB (from {before:.0f} MB)" + versus,
        flush=True,
    )


def review() -> None:
    """Add what reviewers add to the loaded claims: verdicts, ratings, notes, history."""
    from django.db import connection

    if not is_postgres():
        print("reviewed        : skipped (the reviewers' rows are made in PostgreSQL's SQL)")
        return
    started = time.perf_counter()
    verdicts = "('verified', 'refuted', 'disputed', 'unverifiable')"
    users = "(SELECT min(id) FROM workbench_user) + floor(random() * 8)::int"
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE claims_claim SET reviewed_by_id = {users}, reviewed_at = updated_at"
            f" WHERE status IN {verdicts}"
        )
        cur.execute(
            f"""
            INSERT INTO claims_rating (claim_id, reviewer_id, confidence, rationale,
                created_at, updated_at)
            SELECT c.id, u.id,
                   (ARRAY['low', 'medium', 'high'])[1 + floor(random() * 3)::int],
                   CASE WHEN random() < 0.5 THEN 'Matches the filing, "quoted" in part.'
                        ELSE '' END,
                   c.updated_at, c.updated_at
            FROM claims_claim c TABLESAMPLE BERNOULLI (15)
            CROSS JOIN LATERAL (SELECT id FROM workbench_user WHERE id IN ({users}, {users})
                                ORDER BY id LIMIT 2) u
            ON CONFLICT DO NOTHING
            """
        )
        cur.execute(
            """
            INSERT INTO claims_note (claim_id, author_id, text, created_at, updated_at,
                version)
            SELECT id, assignee_id, 'Checked against the ministry''s release; see the
            evidence.', updated_at, updated_at, 1
            FROM claims_claim TABLESAMPLE BERNOULLI (5)
            """
        )
        # simple_history's rows: the claim's creation, its verdict, each rating and note.
        cur.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'claims_historicalclaim' AND column_name NOT LIKE 'history_%%'"
        )
        columns = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
        for history_type, where in (("+", "TRUE"), ("~", f"status IN {verdicts}")):
            cur.execute(
                f"INSERT INTO claims_historicalclaim ({columns}, history_date, history_type)"
                f" SELECT {columns}, updated_at, %s FROM claims_claim WHERE {where}",
                [history_type],
            )
        for table in ("rating", "note"):
            cur.execute(
                "SELECT column_name FROM information_schema.columns"
                f" WHERE table_name = 'claims_historical{table}'"
                " AND column_name NOT LIKE 'history_%%'"
            )
            columns = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
            cur.execute(
                f"INSERT INTO claims_historical{table} ({columns}, history_date, history_type)"
                f" SELECT {columns}, updated_at, '+' FROM claims_{table}"
            )
    vacuum_analyze()
    print(
        f"reviewed        : verdicts, ratings, notes and history added in "
        f"{time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_300_000)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--limit", type=int, help="export only the first N claims")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # one case, in a child process
    parser.add_argument("--copy-rate", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.limit, args.copy_rate)
        return

    cases = args.cases.split(",")
    known = {*CASES, *(f"full-{fmt}-python" for fmt in ("csv", "jsonl", "json"))}
    known |= {f"{detail}-json" for detail in ("plain", "full")}
    if unknown := [c for c in cases if c not in known]:
        fail(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    print_calibration()
    url = django_setup(fresh=not args.reuse, name="export")
    from claims.models import Claim

    if not Claim.objects.exists():
        from bench.triage_pages import load

        load(args.claims)
        review()
    expected = selection(args.limit).count()
    print(f"database        : {url}, {expected:,} claims to export")
    copy_rate = 0.0
    if is_postgres():
        rows, seconds, size = copy_baseline(args.limit)
        if rows != expected:
            fail(f"COPY baseline: {rows:,} rows of {expected:,}")
        copy_rate = rows / seconds
        print(
            f"{'baseline: COPY':18} {rows:>10,} rows {seconds:7.1f} s {copy_rate:>10,.0f} rows/s "
            f"{size / 1e6:8.0f} MB   (plain columns, text format, one connection)"
        )
    else:
        print("baseline: COPY   : PostgreSQL only; no ratio on this database")
    from django.db import connection

    connection.close()
    for case in cases:
        command = [sys.executable, __file__, "--case", case, "--copy-rate", str(copy_rate)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        if subprocess.run(command, check=False).returncode != 0:
            fail(f"case {case} failed (its error is above)")


if __name__ == "__main__":
    main()
