"""The PDF report of 1,000 claims, made by the background task, against the old rendering.

Run:  .venv/bin/python bench/report_pdf.py [--claims 1000] [--reuse] [--no-old] [--profile]

Uses its own database (BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "report_pdf";
recreated unless --reuse), loaded with invented articles whose every claim mentions a
"shipment" (`?status=all&q=shipment`, the selection of the issue) until --claims claims
match, each given what reviewers add through the services: two pieces of evidence, a rating,
a note on every fourth, a verdict on every third (so each has a change log of 3–5 entries),
and some Chinese, Japanese and Korean text (fonts). Then VACUUM ANALYZE.

Measured, in this process:

- ours: the report task's function (`claims.report_jobs.report_job_run`, what a `db_worker`
  runs) on a ReportJob for the filter: build the report, render the print template with
  WeasyPrint, store the file — wall time and the PDF's page count;
- baseline (unless --no-old; ~4 min): the report as the request used to render it — the
  screen template (`claims/report.html`) with its stylesheets — on the same selection, in
  the same process; the ratio old / ours is printed.

Fails (exit 1) when the selection does not hold --claims claims, the job did not end done,
its file is not a PDF, or the PDF holds fewer claims than the selection.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import (
    collect_static,
    django_setup,
    fail,
    print_calibration,
    ratio,
    rss_mb,
    vacuum_analyze,
)

QUERY = "status=all&q=shipment"
GOAL_SECONDS = 10.0

WORDS = ("copper", "grain", "coal", "timber", "nickel", "cotton", "steel", "rice")
PORTS = ("Northwind", "Cobalt Bay", "Harbour Ridge", "Eastgate", "Silver Quay", "Lowmoor")
CJK_LINES = (
    "港口官员说，这批货物于2024年运抵。",  # invented Chinese
    "港の担当者によると、貨物は2024年に到着した。",  # invented Japanese
    "항만 관계자는 화물이 2024년에 도착했다고 말했다.",  # invented Korean
)


def article_text(n: int, sentences: int) -> str:
    """An invented article whose every sentence is a claim about a shipment."""
    lines = [f"Port report {n}: shipments through {PORTS[n % len(PORTS)]}"]
    for i in range(sentences):
        good, port = WORDS[(n + i) % len(WORDS)], PORTS[(n * 7 + i) % len(PORTS)]
        tonnes = 1000 + 37 * n + 11 * i
        lines.append(
            f"The {port} terminal handled a shipment of {tonnes} tonnes of {good} in 2024, "
            f"the operator said in its annual filing."
        )
    if n % 5 == 0:
        lines.append(CJK_LINES[n % 3])
    return "\n".join(lines) + "\n"


def load(claims: int) -> None:
    """Import invented articles until `claims` claims mention a shipment; add review work."""
    import io

    from django.http import QueryDict

    from claims import services
    from claims.exports import export_queryset
    from claims.models import Claim, ClaimStatus, Stance
    from claims.triage import parse_filters
    from imports.queue import import_batch_process, worker_id
    from imports.uploads import Incoming, import_batch_create
    from sources.models import Publisher
    from workbench.models import User

    started = time.perf_counter()
    reviewer = User.objects.create_user("bench-reviewer", password="bench-password-1")
    lead = User.objects.create_user("bench-lead", password="bench-password-1")
    outlets = [Publisher.objects.create(name=f"Wire service {i}") for i in range(6)]
    papers = [Publisher.objects.create(name=f"Harbour Gazette {i}") for i in range(4)]

    def selection():
        # Built anew each time: a search with few matches is resolved to ids when built.
        return export_queryset(parse_filters(QueryDict(QUERY)), reviewer)

    n = 0
    while selection().count() < claims:
        texts = [article_text(n + i, 10).encode() for i in range(20)]
        batch, _ = import_batch_create(
            files=[
                Incoming(f"port-{n + i}.txt", len(t), io.BytesIO(t)) for i, t in enumerate(texts)
            ],
            origin="bench",
            by=None,
            default_publisher=papers[(n // 20) % len(papers)],
        )
        import_batch_process(batch_id=batch.pk, worker=worker_id())
        n += 20
    # Review work on exactly the claims the report will show.
    for i, claim in enumerate(selection()[:claims]):
        for k, stance in enumerate((Stance.SUPPORTS, Stance.CONTEXT)):
            services.corroboration_create(
                claim=claim,
                by=reviewer,
                stance=stance,
                url=f"https://evidence.example.org/{claim.pk}/{k}",
                publisher=outlets[(i + k) % len(outlets)],
                excerpt=f"The terminal's log lists the shipment ({claim.pk}, item {k}).",
            )
        services.rating_set(
            claim=claim, by=lead, confidence="moderate", rationale="Matches the filing."
        )
        if i % 4 == 0:
            services.note_create(claim=claim, by=reviewer, text=f"Asked the operator ({i}).")
        if i % 3 == 0:
            services.claim_set_status(
                claim=Claim.objects.get(pk=claim.pk),
                status=ClaimStatus.DISPUTED,
                reason="The port log and the filing give different tonnages.",
                by=reviewer,
                version=None,
            )
    vacuum_analyze()
    print(
        f"loaded          : {selection().count():,} claims matching ?{QUERY} in "
        f"{time.perf_counter() - started:.1f} s, then VACUUM ANALYZE"
    )


def run_job(user) -> tuple[float, float, int, int, bytes]:
    """Make the report's PDF as a worker does: (seconds, CPU seconds, pages, claims, bytes).

    The CPU time is this process's: on a machine shared with other work, the wall time
    grows with the load and the CPU time much less.
    """
    from django.http import QueryDict

    from claims.choices import ReportJobStatus
    from claims.report_jobs import report_job_create, report_job_run
    from claims.triage import parse_filters

    job = report_job_create(filters=parse_filters(QueryDict(QUERY)), include_notes=True, by=user)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        job = report_job_run(job_id=job.pk)
    except Exception:  # written on the job (status, error), as a worker would leave it
        job.refresh_from_db()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if job.status != ReportJobStatus.DONE:
        fail(f"the report job ended {job.status}: {job.error}")
    return elapsed, cpu, job.pages, job.claim_count, bytes(job.pdf)


def old_rendering(user) -> tuple[float, int]:
    """The report as the request used to render it: the screen template and stylesheets."""
    import weasyprint
    from django.contrib.staticfiles import finders
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from claims.exports import export_queryset
    from claims.reports import build_report
    from claims.triage import parse_filters

    started = time.perf_counter()
    filters = parse_filters(QueryDict(QUERY))
    report = build_report(export_queryset(filters, user), filters=filters, user=user)
    html = render_to_string("claims/report.html", {"report": report, "query": ""})
    css = [weasyprint.CSS(filename=finders.find(n)) for n in ("css/statuses.css", "css/report.css")]
    document = weasyprint.HTML(string=html).render(stylesheets=css)
    document.write_pdf()
    return time.perf_counter() - started, len(document.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--no-old", action="store_true", help="skip the old rendering (~4 min)")
    parser.add_argument("--profile", action="store_true", help="cProfile the task: top 25")
    args = parser.parse_args()
    print_calibration()
    django_setup(fresh=not args.reuse, name="report_pdf")
    from claims.models import Claim
    from workbench.models import User

    if not args.reuse or not Claim.objects.exists():
        load(args.claims)
    user = User.objects.get(username="bench-reviewer")
    # The first job in a process also imports WeasyPrint and loads the fonts; a db_worker
    # does that once. Both are printed.
    cold, cold_cpu, pages, claims, pdf = run_job(user)
    if not pdf.startswith(b"%PDF-"):
        fail("the job's file is not a PDF")
    if claims < args.claims:
        fail(f"the PDF holds {claims} claims, the selection {args.claims}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        warm, warm_cpu, *_ = run_job(user)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        warm, warm_cpu, *_ = run_job(user)
    print(f"selection       : ?{QUERY}, {claims:,} claims in the PDF")
    print(f"ours (task)     : {warm:.1f} s ({warm_cpu:.1f} s CPU) for {pages} pages, "
          f"{len(pdf) / 1e6:.1f} MB (first job in the process: {cold:.1f} s, {cold_cpu:.1f} s "
          f"CPU); peak RSS {rss_mb():.0f} MB; "
          f"goal ≤ {GOAL_SECONDS:g} s: {'met' if warm <= GOAL_SECONDS else 'NOT MET'}")  # fmt: skip
    if not args.no_old:
        collect_static()  # the screen template links the static files (production: hashed)
        old, old_pages = old_rendering(user)
        print(f"old rendering   : {old:.1f} s for {old_pages} pages (screen template in the "
              f"request); ours is {ratio(old, warm):.0f}× faster")  # fmt: skip


if __name__ == "__main__":
    main()
