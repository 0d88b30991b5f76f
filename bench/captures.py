"""Evidence captures: captures per second with N workers, and the link-rot sweep at scale.

Run:  .venv/bin/python bench/captures.py [--captures 1000] [--workers 1,4,8]
                                         [--evidence 100000] [--sweep-workers 8]

Against a web site on loopback started here (the captures' outbound guard lets loopback
through: OUTBOUND_ALLOW_PRIVATE_URLS=1, set by this script only), with a fresh database
(BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "captures", recreated, vacuumed):

1. Captures: --captures pieces of evidence attached with their archive pending, then
   captured by `evidence.services.capture_take` (fetch through the guard, extract the text,
   store the gzipped body, check the excerpt, write the capture and the archive's history)
   with each --workers count of threads. Baseline: the same pages fetched alone (`fetch`,
   no extraction, no database) with the same workers: the ratio is what archiving costs
   over the network's share.
2. Link rot: --evidence archived links loaded in bulk (each a capture, an archive and a due
   schedule), then the site changes — 2% of pages changed, 2% gone (404), the rest the same
   bytes — and `links_sweep` (the `check_evidence_links` command's service) checks them all
   with --sweep-workers threads. Baseline: fetching the same number of pages alone.

Fails (exit 1) when a capture did not capture, or the sweep did not check every link or did
not find exactly the pages that changed and went.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._setup import django_setup, fail, print_calibration, ratio, vacuum_analyze

# An invented page (never text from ../shared): one paragraph changes in phase "after".
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry returns after winter repairs</title>
<meta property="og:site_name" content="Coastline Courier">
<meta property="article:published_time" content="2026-11-20T08:30:00+00:00"></head>
<body><nav>Home | Local</nav><article><h1>Harbour ferry returns after winter repairs</h1>
<p>The harbour ferry will carry passengers again from Monday, the port authority said, after
{weeks} weeks of repairs to its hull and engines.</p>
<p>Timetables are posted at the quay; tickets bought before the repairs remain valid.</p>
<p>The repairs cost the city 1.2 million crowns from the maintenance budget.</p>
</article></body></html>"""
BEFORE = PAGE.format(weeks="eleven").encode()
AFTER = PAGE.format(weeks="fourteen").encode()
EXCERPT = "after eleven weeks of repairs to its hull"
CHANGED_EVERY, GONE_EVERY = 50, 49  # 2% of pages change, 2% go (n % 50 == 0, n % 49 == 0)


class Site:
    """Pages /page/<n>: the same bytes until `changed` is set, then some change or go."""

    def __init__(self) -> None:
        self.changed = False
        self.requests = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site.requests += 1
                n = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/page/") else -1
                status, body = 200, BEFORE
                if n < 0:
                    status, body = 404, b"no such page"
                elif site.changed and n % CHANGED_EVERY == 0:
                    body = AFTER
                elif site.changed and n % GONE_EVERY == 0:
                    status, body = 404, b"gone"
                self.send_response(status)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a client closing its kept-alive connection is not news

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/page/{n}"


def in_threads(fn, items, workers: int) -> tuple[list, float]:
    """Run fn over items with `workers` threads (each closes its database connection)."""
    from django.db import connection

    def run(item):
        try:
            return fn(item)
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, items))
    return results, time.perf_counter() - started


def fixture_claim():
    from claims.models import Claim
    from sources.models import Article

    text = "The ferry returns on Monday after eleven weeks of repairs."
    article = Article.objects.create(
        title="Ferry", text=text, received_text=text, sha256="f" * 64, source_name="bench"
    )
    return Claim.objects.create(
        article=article, start=0, end=len(text), text=text, kind="statement"
    )


def new_evidence(claim, site: Site, numbers: range) -> list:
    """Evidence of `claim` citing the site's pages `numbers`, in bulk (with history)."""
    from simple_history.utils import bulk_create_with_history

    from claims.models import Corroboration

    rows = [
        Corroboration(claim=claim, stance="supports", url=site.url(n), excerpt=EXCERPT)
        for n in numbers
    ]
    bulk_create_with_history(rows, Corroboration, batch_size=2000, default_change_reason="bench")
    return list(
        Corroboration.objects.filter(claim=claim, url__in=[r.url for r in rows]).order_by("pk")
    )


def bench_captures(claim, site: Site, count: int, workers: list[int]) -> None:
    from evidence.choices import CaptureState
    from evidence.fetching import fetch
    from evidence.services import archive_create, capture_take

    for n in workers:
        offset = 1_000_000 + n * count  # pages never captured before: every capture is new
        evidence = new_evidence(claim, site, range(offset, offset + count))
        for e in evidence:
            archive_create(evidence_id=e.pk)
        fetched, fetch_s = in_threads(lambda e: fetch(e.url), evidence, n)
        if any(f.error for f in fetched):
            fail(f"a page could not be fetched: {next(f.error for f in fetched if f.error)}")
        archives, capture_s = in_threads(lambda e: capture_take(evidence_id=e.pk), evidence, n)
        bad = [a for a in archives if a is None or a.state != CaptureState.CAPTURED]
        if bad:
            fail(f"{len(bad)} of {count} captures did not capture ({bad[0] and bad[0].error})")
        print(
            f"captures        : {n} worker{'s' if n > 1 else ' '} {count / capture_s:8.1f}/s "
            f"({count} in {capture_s:.1f} s); fetch alone {count / fetch_s:8.1f}/s; "
            f"capture/fetch time {ratio(capture_s, fetch_s):.1f}×",
            flush=True,
        )


def load_archived(claim, site: Site, count: int) -> None:
    """`count` archived links, each with its capture and a schedule due now, in bulk."""
    import gzip

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from evidence.choices import CaptureState, ExcerptStatus
    from evidence.fetching import Fetched, extract
    from evidence.models import Archive, Capture, LinkSchedule, evidence_storage
    from evidence.services import body_name

    now = timezone.now()
    page = Fetched(requested_url="", retrieved_at=now, content_type="text/html", body=BEFORE)
    page.final_url = site.url(0)
    text = extract(page).text
    name = body_name(page.sha256)
    if not evidence_storage().exists(name):
        evidence_storage().save(name, ContentFile(gzip.compress(BEFORE, mtime=0)))
    step = 10_000
    for low in range(0, count, step):
        evidence = new_evidence(claim, site, range(low, min(low + step, count)))
        captures = Capture.objects.bulk_create(
            Capture(
                evidence=e,
                purpose="attach",
                requested_url=e.url,
                final_url=e.url,
                status_code=200,
                retrieved_at=now,
                sha256=page.sha256,
                body_name=name,
                size=len(BEFORE),
                content_type="text/html",
                text=text,
            )
            for e in evidence
        )
        archives = [
            Archive(
                evidence=e,
                url=e.url,
                state=CaptureState.CAPTURED,
                capture=c,
                excerpt_status=ExcerptStatus.FOUND,
            )
            for e, c in zip(evidence, captures, strict=True)
        ]
        bulk_create_with_history(archives, Archive, batch_size=2000, default_change_reason="bench")
        archives = Archive.objects.filter(evidence__in=evidence).only("pk")
        LinkSchedule.objects.bulk_create(
            LinkSchedule(archive=a, checked_at=now, due_at=now, last_status=200) for a in archives
        )


def bench_sweep(claim, site: Site, count: int, workers: int) -> None:
    from django.utils import timezone

    from evidence.choices import LinkState
    from evidence.fetching import fetch
    from evidence.services import links_sweep

    started = time.perf_counter()
    load_archived(claim, site, count)
    vacuum_analyze()
    print(f"link rot load   : {count:,} archived links in {time.perf_counter() - started:.0f} s")
    site.changed = True
    sample = [site.url(n) for n in range(min(count, 20_000))]
    _, fetch_s = in_threads(fetch, sample, workers)
    fetch_rate = len(sample) / fetch_s
    started = time.perf_counter()
    sweep = links_sweep(now=timezone.now(), workers=workers)
    sweep_s = time.perf_counter() - started
    changed = sum(1 for n in range(count) if n % CHANGED_EVERY == 0)
    gone = sum(1 for n in range(count) if n % CHANGED_EVERY and n % GONE_EVERY == 0)
    expected = {
        LinkState.CHANGED: changed,
        LinkState.GONE: gone,
        LinkState.LIVE: count - changed - gone,
    }
    if sweep.checked != count or sweep.found != expected:
        fail(
            f"the sweep checked {sweep.checked} of {count} and found {sweep.found}, not {expected}"
        )
    rate = count / sweep_s
    print(
        f"link rot sweep  : {count:,} links with {workers} workers in {sweep_s:.0f} s, "
        f"{rate:.0f}/s ({sweep.summary()}); fetch alone {fetch_rate:.0f}/s over "
        f"{len(sample):,}; sweep/fetch time {ratio(fetch_rate, rate):.1f}×",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=1000)
    parser.add_argument("--workers", default="1,4,8")
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--sweep-workers", type=int, default=8)
    args = parser.parse_args()
    workers = [int(n) for n in args.workers.split(",")]
    print_calibration()
    storage = tempfile.mkdtemp(prefix="bench-evidence-")
    os.environ.update(
        {
            "OUTBOUND_ALLOW_PRIVATE_URLS": "1",
            "EVIDENCE_STORAGE_OPTIONS": f'{{"location": "{storage}"}}',
            "EVIDENCE_TIMEOUT_SECONDS": "10",
        }
    )
    url = django_setup(fresh=True, name="captures")
    print(f"database        : {url.rsplit('/', 1)[1]} (fresh); bodies in {storage}")
    site = Site()
    claim = fixture_claim()
    bench_captures(claim, site, args.captures, workers)
    bench_sweep(claim, site, args.evidence, args.sweep_workers)


if __name__ == "__main__":
    main()
