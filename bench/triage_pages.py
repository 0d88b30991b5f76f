"""List pages at 1,000,000 claims on PostgreSQL: median server time of the reviewer's pages.

Run:  .venv/bin/python bench/triage_pages.py [--claims 1000000] [--runs 25] [--reuse]

Loads the sample articles through the real import, then multiplies them in SQL into enough
articles to reach --claims claims (text, spans, kinds and scores of the real claims; random
statuses, credibility, assignees and some corroborations), ANALYZEs, and times through
Django's test client: the default queue, a deep page (cursor half-way down), a filtered page,
a search page, a claim page and an article page. Prints the median and p95 in milliseconds.
Uses BENCH_DATABASE_URL (default .../workbench_bench_1m), recreated unless --reuse.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench_bench_1m")

from bench._setup import ROOT, SEEDS_DIR, django_setup


def load(target: int) -> None:
    """Import the samples, then copy their articles and claims in SQL up to `target` claims."""
    from django.db import connection

    from claims.models import Claim
    from sources.models import Article
    from sources.services import articles_import
    from workbench.models import User

    files = [(p.name, p.read_bytes()) for p in sorted(SEEDS_DIR.glob("*.txt"))]
    articles_import(files, by=None, origin="bench")
    copies_from = set(Article.objects.values_list("pk", flat=True))
    for n in range(8):
        User.objects.create_user(f"reviewer{n}", password="bench-password-1")
    per_round = Claim.objects.count()
    copies = max(1, target // per_round - 1)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO sources_article (publisher_id, title, url, published_at, published_raw,
                byline, language, text, received_text, encoding, repairs, source_name, sha256,
                created_at, updated_at, original_html, fingerprint)
            SELECT a.publisher_id, a.title || ' #' || g, a.url,
                   a.published_at - (g || ' hours')::interval, a.published_raw, a.byline,
                   a.language, a.text, a.received_text, a.encoding, a.repairs,
                   'copy-' || g || '-' || a.source_name, md5(a.sha256 || g) || md5(g || a.sha256),
                   now(), now(), a.original_html, a.fingerprint
            FROM sources_article a CROSS JOIN generate_series(1, %s) g
            WHERE a.id = ANY(%s)
            """,
            [copies, list(copies_from)],
        )
        cur.execute(
            """
            INSERT INTO claims_claim (article_id, start, "end", text, kind, status, credibility,
                score, speaker, assignee_id, version, created_at, updated_at)
            SELECT na.id, c.start, c."end", c.text, c.kind,
                   (ARRAY['unreviewed','unreviewed','unreviewed','unreviewed','unreviewed',
                          'unreviewed','in_review','in_review','verified','disputed',
                          'refuted','unverifiable','not_a_claim'])[1 + floor(random() * 13)::int],
                   1 + floor(random() * 6)::int,
                   greatest(0, least(100, c.score + floor(random() * 21)::int - 10)),
                   c.speaker,
                   CASE WHEN random() < 0.2 THEN (SELECT min(id) FROM workbench_user)
                        + floor(random() * 8)::int END,
                   1, now() - random() * interval '365 days',
                   now() - random() * interval '365 days'
            FROM sources_article na
            JOIN sources_article a ON na.source_name LIKE 'copy-%%-' || a.source_name
                 AND a.source_name NOT LIKE 'copy-%%'
            JOIN claims_claim c ON c.article_id = a.id
            """
        )
        cur.execute(
            """
            INSERT INTO claims_corroboration (claim_id, url, outlet, excerpt, stance,
                independence, independence_reason, independence_overridden, created_at,
                updated_at)
            SELECT id, 'https://example.org/e/' || id, 'Example Wire', '', 'supports',
                   'independent', 'different publisher', false, now(), now()
            FROM claims_claim TABLESAMPLE BERNOULLI (3)
            """
        )
        cur.execute("VACUUM ANALYZE")  # as autovacuum would: visibility map for index-only scans
    # One article that is not multiplied, so some words really are rare (a handful of claims).
    demo = ROOT / "sources" / "demo" / "northwind_magnets.txt"
    articles_import([(demo.name, demo.read_bytes())], by=None, origin="bench")
    print(
        f"loaded          : {Article.objects.count():,} articles, "
        f"{Claim.objects.count():,} claims in {time.perf_counter() - started:.1f} s (SQL copy)"
    )


def timed(client, url: str, runs: int) -> tuple[float, float, int]:
    """Median and p95 server time in ms of GET url (first run discarded as warm-up)."""
    client.get(url)
    times = []
    status = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    args = parser.parse_args()

    url = django_setup(fresh=not args.reuse)
    from django.db import connection
    from django.test import Client

    from claims.models import Claim
    from claims.triage import _encode
    from sources.models import Article, Publisher
    from workbench.models import User

    if not Claim.objects.exists():
        load(args.claims)
    user = User.objects.filter(username="benchlead").first()
    if user is None:
        from django.core.management import call_command

        call_command("create_user", "benchlead", role="lead", password="bench-password-1")
        user = User.objects.get(username="benchlead")
    client = Client()
    client.force_login(user)

    with connection.cursor() as cur:
        cur.execute(
            """SELECT score, id FROM claims_claim
               WHERE status IN ('unreviewed', 'in_review') AND kind <> 'chrome'
               ORDER BY score DESC, id DESC OFFSET %s LIMIT 1""",
            [Claim.objects.count() // 4],
        )
        deep_score, deep_id = cur.fetchone()
    publisher = Publisher.objects.get(name="Global Times")
    claim = Claim.objects.triageable().order_by("-id").first()
    article = Article.objects.order_by("-id").first()
    pages = {
        "queue (default)": "/claims/",
        "deep page (1/4 down)": f"/claims/?after={_encode([deep_score, deep_id])}",
        "filtered": f"/claims/?status=in_review&kind=quote&publisher={publisher.pk}",
        "filtered + mine": "/claims/?assignee=mine&evidence=no&o=-updated",
        "search (rare word)": "/claims/?q=Tampere",
        "search (word in 2%)": "/claims/?q=Baotou",
        "search (common words)": "/claims/?q=rare+earth+industry",
        "search, best match": "/claims/?q=Baotou&o=rank",
        "claim page": f"/claims/{claim.pk}/",
        "article page": f"/sources/articles/{article.pk}/",
    }
    print(f"database        : {url}, {Claim.objects.count():,} claims")
    print(f"{'page':24} {'median ms':>10} {'p95 ms':>8}  status")
    for label, path in pages.items():
        median, p95, status = timed(client, path, args.runs)
        print(f"{label:24} {median:10.1f} {p95:8.1f}  {status}")


if __name__ == "__main__":
    main()
