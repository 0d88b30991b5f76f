"""The desk at scale: a hand-out of 100,000 claims to 20 reviewers, and My work at 1M claims.

Run:  .venv/bin/python bench/desk.py [--claims 1000000] [--handout 100000] [--reviewers 20]
                                     [--runs 3] [--page-runs 25] [--naive 2000]

Loads --claims claims as bench/triage_pages.py does (the samples through the real import,
multiplied in SQL), makes exactly --handout of the open claims "in review" (the filter the
lead hands out, `status=in_review`), VACUUM ANALYZEs, then:

1. Times `desk.services.handout_create` of that filter to --reviewers reviewers, round-robin,
   overlap 1, --runs times (each a new hand-out; median). Baseline, same run: the naive way,
   one `Assignment.save()` (with its history row) a claim, for --naive claims, scaled to
   --handout; the ratio is naive / ours.
2. Marks a third of the assignments done, then times My work (`/desk/mine/`) of one reviewer
   through Django's test client in production mode (--page-runs runs, median and p95), against
   issue 17's goal (≤ 30 ms at 1M claims, on the 2-core machine; read it with the calibration
   line). No admin page shows My work: the baseline is the default triage queue, timed the same way.

Database: BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "desk", recreated at every run.
Fails (exit 1) when a hand-out gives out anything but --handout claims, or My work does not
answer 200 or lists no claim.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import (
    collect_static,
    django_setup,
    fail,
    print_calibration,
    ratio,
    vacuum_analyze,
)
from bench.triage_pages import load, timed

MY_WORK_GOAL_MS = 30.0


def reviewers(n: int):
    """A lead and `n` reviewers, made as `manage.py create_user` makes them."""
    from django.core.management import call_command

    from workbench.models import User

    for name, role in [("desklead", "lead"), *((f"deskrev{i:02}", "reviewer") for i in range(n))]:
        call_command("create_user", name, role=role, password="bench-password-1", stdout=StringIO())
    lead = User.objects.get(username="desklead")
    return lead, list(User.objects.filter(username__startswith="deskrev").order_by("username"))


def in_review(n: int) -> int:
    """Make exactly `n` open claims "in review" and none else (bench data: plain SQL)."""
    from django.db import connection

    from claims.models import Claim

    with connection.cursor() as cur:
        cur.execute("UPDATE claims_claim SET status = 'unreviewed' WHERE status = 'in_review'")
    ids = list(
        Claim.objects.triageable()
        .filter(status="unreviewed")
        .order_by("?")
        .values_list("pk", flat=True)[:n]
    )
    with connection.cursor() as cur:
        cur.execute("UPDATE claims_claim SET status = 'in_review' WHERE id = ANY(%s)", [ids])
    return len(ids)


def bench_handout(lead, team, *, expected: int, runs: int) -> float:
    from desk.services import handout_create

    times = []
    for n in range(runs):
        started = time.perf_counter()
        hand_out = handout_create(
            filter="/claims/?status=in_review",
            reviewers=team,
            strategy="round_robin",
            overlap=1,
            name=f"bench {n}",
            by=lead,
        )
        times.append(time.perf_counter() - started)
        if hand_out.claim_count != expected:
            fail(f"hand-out {n} gave out {hand_out.claim_count:,} claims, not {expected:,}")
        print(f"hand-out run {n + 1}  : {times[-1]:.2f} s", flush=True)
    return statistics.median(times)


def bench_naive(lead, team, *, claims: int) -> float:
    """Seconds to save `claims` assignments one by one (each with its history row)."""
    from django.db import transaction

    from claims.models import Claim
    from desk.models import Assignment, HandOut
    from workbench.history import record_change

    ids = list(Claim.objects.filter(status="in_review").values_list("pk", flat=True)[:claims])
    started = time.perf_counter()
    with transaction.atomic():
        hand_out = HandOut.objects.create(name="naive", strategy="round_robin", created_by=lead)
        for i, claim_id in enumerate(ids):
            assignment = Assignment(
                hand_out=hand_out, claim_id=claim_id, reviewer=team[i % len(team)]
            )
            record_change(assignment, by=lead, reason="naive")
            assignment.save()
    seconds = time.perf_counter() - started
    hand_out.delete()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--handout", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page-runs", type=int, default=25)
    parser.add_argument("--naive", type=int, default=2000)
    args = parser.parse_args()

    print_calibration()
    url = django_setup(fresh=True, name="desk")
    from django.db import connection
    from django.test import Client

    from claims.models import Claim
    from desk.models import Assignment

    load(args.claims)
    handed = in_review(args.handout)
    if handed != args.handout:
        fail(f"only {handed:,} open claims to hand out; load more than --claims {args.claims:,}")
    vacuum_analyze()
    collect_static()
    lead, team = reviewers(args.reviewers)
    print(
        f"database        : {url}, {Claim.objects.count():,} claims; hand-out of "
        f"{handed:,} claims (status=in_review) to {len(team)} reviewers, round-robin, overlap 1"
    )

    naive = bench_naive(lead, team, claims=args.naive) * args.handout / args.naive
    ours = bench_handout(lead, team, expected=handed, runs=args.runs)
    print(
        f"hand-out        : median {ours:.2f} s of {args.runs} runs "
        f"({args.handout / ours:,.0f} assignments/s); naive one save a claim "
        f"({args.naive:,} timed, scaled): {naive:.1f} s; {ratio(naive, ours):.1f}× naive"
    )

    with connection.cursor() as cur:
        cur.execute("UPDATE desk_assignment SET state = 'done', done_at = now() WHERE id % 3 = 0")
    vacuum_analyze()
    reviewer = team[0]
    mine = Assignment.objects.filter(reviewer=reviewer).count()
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    print(
        f"my work         : {reviewer.username}, {mine:,} assignments "
        f"({Assignment.objects.count():,} in all); {args.page_runs} runs a page"
    )
    median, p95, body = timed(client, "my work", "/desk/mine/", args.page_runs)
    if "Claim #" not in body:
        fail("/desk/mine/ lists no claim; nothing was measured")
    q_median, q_p95, _ = timed(client, "queue", "/claims/", args.page_runs)
    print(
        f"  /desk/mine/   : median {median:.1f} ms, p95 {p95:.1f} ms  "
        f"goal ≤ {MY_WORK_GOAL_MS:g} ms: {'met' if median <= MY_WORK_GOAL_MS else 'NOT MET'}"
    )
    print(
        f"  /claims/      : median {q_median:.1f} ms, p95 {q_p95:.1f} ms (the default queue, "
        f"for scale); my work / queue = {median / q_median:.2f}"
    )


if __name__ == "__main__":
    main()
