"""Export over 1,000,000 claims to CSV and JSON Lines on PostgreSQL: rows/s and peak RSS growth.

Run:  .venv/bin/python bench/export.py [--claims 1300000] [--cases plain-csv,plain-jsonl,...]

Uses its own database (BENCH_DATABASE_URL, default .../workbench_bench_export), loaded when
empty with bench/triage_pages.py's `load()` (the samples' articles copied up to --claims
claims, 3% with a corroboration; chrome lines are claims too but are not exported, so
1.3M claims give just over 1M exportable ones) and then given what reviewers add: verdicts
with their reviewer, two ratings on 15% of the claims, a note on 5%, and history rows (one
per claim, one more per verdict, rating and note). Each case runs in its own process (peak
RSS only grows, so one process per case keeps the figures apart) and streams every
triageable claim, all statuses, through `claims.exports.Export` — the code the command and
the web view use — into a file, content hash included:

- plain-*: the per-claim columns (claim + article);
- full-*:  the full record (context sentences, corroborations, ratings, notes, history
  counts).

Both are built in SQL and streamed with binary COPYs, one per chunk of article ids, on
three connections sharing one snapshot (claims/exports_sql.py: the path PostgreSQL takes).
full-*-python (not run by default) builds the same records from model instances with
per-chunk prefetches, the SQLite/ClaimReview path (about 1,300 rows/s here).

Prints rows/s and the growth of peak RSS over the process's RSS before the export started.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench_bench_export"
)

CASES = ("plain-csv", "plain-jsonl", "full-csv", "full-jsonl")


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_case(case: str, limit: int | None) -> None:
    """Export once in this process and print one line of figures."""
    from bench._setup import django_setup, rss_mb

    django_setup(fresh=False)
    from django.http import QueryDict

    from claims.exports import Export, export_queryset
    from claims.triage import parse_filters

    detail, fmt, *path = case.split("-")
    filters = parse_filters(QueryDict("status=all"))
    queryset = export_queryset(filters, None)
    if limit:
        queryset = queryset[:limit]
    export = Export(queryset, fmt, detail=detail, sql=path != ["python"])
    before = current_rss_mb()
    started = time.perf_counter()
    size = 0
    with tempfile.TemporaryFile("wb") as out:
        for chunk in export.stream():
            out.write(chunk)
            size += len(chunk)
    elapsed = time.perf_counter() - started
    rows = export.tally.count
    print(
        f"{case:18} {rows:>10,} rows {elapsed:7.1f} s {rows / elapsed:>10,.0f} rows/s "
        f"{size / 1e6:8.0f} MB text   peak RSS +{rss_mb() - before:5.1f} MB "
        f"(from {before:.0f} MB)",
        flush=True,
    )


def review(claims: int) -> None:
    """Add what reviewers add to the loaded claims: verdicts, ratings, notes, history."""
    from django.db import connection

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
            INSERT INTO claims_note (claim_id, author_id, text, created_at, updated_at)
            SELECT id, assignee_id, 'Checked against the ministry''s release; see the
            evidence.', updated_at, updated_at
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
        cur.execute("VACUUM ANALYZE")
    print(
        f"reviewed        : verdicts, ratings, notes and history added in "
        f"{time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_300_000)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--limit", type=int, help="export only the first N claims")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # one case, in a child process
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.limit)
        return

    from bench._setup import django_setup

    url = django_setup(fresh=False)
    from claims.models import Claim

    if not Claim.objects.exists():
        from bench.triage_pages import load

        load(args.claims)
        review(args.claims)
    print(f"database : {url}, {Claim.objects.triageable().count():,} claims to export")
    # Figures are only comparable on an idle machine (the cases use two cores).
    print("load avg : {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    from django.db import connection

    connection.close()
    for case in args.cases.split(","):
        command = [sys.executable, __file__, "--case", case]
        if args.limit:
            command += ["--limit", str(args.limit)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
