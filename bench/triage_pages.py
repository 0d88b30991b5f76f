"""The reviewer's pages at 1,000,000 claims, each against Django's admin for the same rows.

Run:  .venv/bin/python bench/triage_pages.py [--claims 1000000] [--runs 25] [--reuse]
                                             [--pages queue,deep,...]

Loads the sample articles through the real import, then multiplies them in SQL into enough
articles to reach --claims claims (text, spans, kinds and scores of the real claims; random
statuses, credibility, assignees and some corroborations), VACUUM ANALYZEs as autovacuum
would, collects the static files and times, through Django's test client in production mode:
the default queue, a deep page (cursor a quarter of the way down), filtered pages, search
pages, a claim page and an article page. Each is timed again as Django's own admin shows it
(bench/admin_baseline.py: a ModelAdmin with the queue's filters, order and page size) and
the ratio printed: how many times faster the workbench's page is than the admin's. Pages that
list the same claims must list the same ids in the same order, or the bench fails; so does
any page that does not answer 200 or lists no claim.

Database: BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "1m" (default
postgres://postgres@127.0.0.1:5432/workbench_bench_1m), recreated unless --reuse. On SQLite
(tests) only the samples are loaded, not multiplied.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import (
    ROOT,
    SEEDS_DIR,
    collect_static,
    django_setup,
    fail,
    goal_text,
    print_calibration,
    ratio,
    vacuum_analyze,
)
from workbench.db import is_postgres

# Ratio goals of the issues: how many times faster than Django's admin at 1M claims.
GOALS = {"queue (default)": 6, "deep page (1/4 down)": 30, "claim page": 3}
# Issue 13's goals in milliseconds, set on its machine (2 cores): every list page ≤ 30 ms,
# the claim page ≤ 40 ms, a panel ≤ 15 ms. A figure, not a ratio: read it with the
# calibration line.
MS_GOALS = {"claim page": 40.0, "panel": 15.0, "list": 30.0}


def ms_goal(page) -> float:
    """The issue's goal in ms for a page of pages_to_time (0: none)."""
    if page.htmx:
        return MS_GOALS["panel"]
    if not page.listing:
        return MS_GOALS["claim page"] if page.label == "claim page" else 0.0
    return MS_GOALS["list"]


def goals_text(page, median: float, times: float | None) -> str:
    """The ratio goal and the ms goal of a page, each said met or NOT MET."""
    parts = [goal_text(times, GOALS.get(page.label))] if times is not None else []
    if limit := ms_goal(page):
        parts.append(f"≤ {limit:g} ms: {'met' if median <= limit else 'NOT MET'}")
    return "; ".join(p for p in parts if p)


QUEUE_ROW = re.compile(r'data-claim-id="(\d+)"')
ADMIN_ROW = re.compile(r'name="_selected_action" value="(\d+)"')


def load(target: int) -> None:
    """Import the samples, then copy their articles and claims in SQL up to `target` claims."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from claims.models import Claim
    from imports.in_process import articles_import
    from sources.models import Article
    from workbench.models import User

    files = [(p.name, p.read_bytes()) for p in sorted(SEEDS_DIR.glob("*.txt"))]
    if not files:
        fail(f"no sample articles in {SEEDS_DIR}")
    articles_import(files, by=None, origin="bench")
    copies_from = set(Article.objects.values_list("pk", flat=True))
    password = make_password("bench-password-1")  # hashed once: the hasher is slow on purpose
    User.objects.bulk_create(User(username=f"reviewer{n}", password=password) for n in range(8))
    per_round = Claim.objects.count()
    copies = max(1, target // per_round - 1)
    started = time.perf_counter()
    if is_postgres():
        _multiply(copies, copies_from)
    else:
        _vary_on_sqlite()
    # One article that is not multiplied, so some words really are rare (a handful of claims).
    demo = ROOT / "sources" / "demo" / "northwind_magnets.txt"
    articles_import([(demo.name, demo.read_bytes())], by=None, origin="bench")
    vacuum_analyze()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM claims_claim")
        (claims,) = cur.fetchone()
    how = "SQL copy" if is_postgres() else "SQLite: the samples only, not multiplied"
    print(
        f"loaded          : {Article.objects.count():,} articles, {claims:,} claims in "
        f"{time.perf_counter() - started:.1f} s ({how}), then VACUUM ANALYZE"
    )


def _multiply(copies: int, copies_from: set[int]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO sources_article (publisher_id, title, url, published_at, published_raw,
                byline, language, text, received_text, encoding, repairs, source_name, sha256,
                created_at, updated_at, original_html, fingerprint, publisher_evidence,
                origin_evidence)
            SELECT a.publisher_id, a.title || ' #' || g, a.url,
                   a.published_at - (g || ' hours')::interval, a.published_raw, a.byline,
                   a.language, a.text, a.received_text, a.encoding, a.repairs,
                   'copy-' || g || '-' || a.source_name, md5(a.sha256 || g) || md5(g || a.sha256),
                   now(), now(), a.original_html, a.fingerprint, a.publisher_evidence,
                   a.origin_evidence
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
                   CASE WHEN random() < 0.5 THEN 1 + floor(random() * 6)::int END,
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
        _corroborate(cur, "FROM claims_claim TABLESAMPLE BERNOULLI (3)")


def _vary_on_sqlite() -> None:
    """The samples' claims given statuses, assignees and some evidence (no multiplying)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE claims_claim SET status = CASE id % 5 WHEN 1 THEN 'in_review'"
            " WHEN 2 THEN 'in_review' WHEN 3 THEN 'verified' ELSE 'unreviewed' END,"
            " assignee_id = CASE WHEN id % 4 = 0"
            " THEN (SELECT min(id) FROM workbench_user) + id % 8 END"
        )
        _corroborate(cur, "FROM claims_claim WHERE id % 7 = 0")


def _corroborate(cur, source: str) -> None:
    cur.execute(
        f"""
        INSERT INTO claims_corroboration (claim_id, url, outlet, excerpt, stance,
            independence, independence_reason, independence_overridden, created_at,
            updated_at, version)
        SELECT id, 'https://example.org/e/' || id, 'Example Wire', '', 'supports',
               'independent', 'different publisher', false, created_at, created_at, 1
        {source}
        """
    )


@dataclass
class Page:
    label: str
    url: str
    admin_url: str | None  # the same page in Django's admin
    same_rows: bool = False  # both list the same claims in the same order
    listing: bool = True  # a list of claims: it must list at least one
    htmx: bool = False  # asked for as htmx asks for a panel (HX-Request)
    must_contain: str = ""  # the answer must contain this (a panel's element)


def timed(
    client, label: str, url: str, runs: int, *, htmx: bool = False
) -> tuple[float, float, str]:
    """Median and p95 in ms of GET url (a warm-up first); fail unless every answer is 200."""
    times = []
    body = ""
    headers = {"HX-Request": "true"} if htmx else {}
    for n in range(runs + 1):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            where = f" → {response.get('Location')}" if response.get("Location") else ""
            fail(f"{label}: GET {url} answered {response.status_code}{where}, not 200")
        if n:
            times.append(elapsed)
        body = response.content.decode()
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], body


def pages_to_time(user) -> list[Page]:
    """The workbench's pages with their admin equivalents, on the loaded data."""
    from django.db import connection
    from django.db.models import Count

    from bench.admin_baseline import PREFIX, column
    from claims.models import Claim
    from claims.triage import PAGE_SIZE, keyset
    from sources.models import Article, Publisher
    from workbench.models import User

    admin = PREFIX + "claims/claim/"
    open_statuses = {"status__in": "unreviewed,in_review"}
    # The cursor of the row just before a page boundary a quarter of the way down, so that
    # the queue's next page is the admin's page `deep + 1` (its pages count from 1).
    deep = max(1, Claim.objects.count() // 4 // PAGE_SIZE)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT score, id FROM claims_claim
               WHERE status IN ('unreviewed', 'in_review') AND kind <> 'chrome'
               ORDER BY score DESC, id DESC LIMIT 1 OFFSET %s""",
            [deep * PAGE_SIZE - 1],
        )
        row = cur.fetchone()
    if row is None:
        fail("fewer open claims than a deep page needs: nothing was loaded")
    deep_score, deep_id = row
    publisher = (
        Publisher.objects.filter(name="Global Times").first()
        or Publisher.objects.annotate(n=Count("articles")).order_by("-n").first()
    )
    reviewer = User.objects.get(username="reviewer0")
    claim = (
        Claim.objects.triageable()
        .filter(kind="statement", corroborations__isnull=False)
        .order_by("-id")
        .first()
    )
    article = Article.objects.order_by("-id").first()
    if claim is None or article is None:
        fail("no claim with evidence to open: nothing was loaded")

    def q(**params) -> str:
        return "?" + urlencode(params)

    return [
        Page("queue (default)", "/claims/", admin + q(**open_statuses), same_rows=True),
        Page(
            "deep page (1/4 down)",
            "/claims/" + q(after=keyset("-score").encode((deep_score, deep_id))),
            admin + q(**open_statuses, p=deep + 1),
            same_rows=True,
        ),
        Page(
            "filtered",
            "/claims/" + q(status="in_review", kind="quote", publisher=publisher.pk),
            admin
            + q(
                status__exact="in_review",
                kind__exact="quote",
                article__publisher__id__exact=publisher.pk,
            ),
            same_rows=True,
        ),
        Page(
            "filtered: assignee, no evidence, by change",
            "/claims/" + q(assignee=reviewer.pk, evidence="no", o="-updated"),
            admin
            + q(
                **open_statuses,
                assignee__id__exact=reviewer.pk,
                evidence="no",
                o=f"-{column('updated_at')}",
            ),
            same_rows=True,
        ),
        # The admin searches with icontains, the queue with full-text search: the rows differ.
        Page("search (rare word)", "/claims/?q=Tampere", admin + q(**open_statuses, q="Tampere")),
        Page("search (word in 2%)", "/claims/?q=Baotou", admin + q(**open_statuses, q="Baotou")),
        Page(
            "search (common words)",
            "/claims/?q=rare+earth+industry",
            admin + q(**open_statuses, q="rare earth industry"),
        ),
        Page(
            "search, best match",
            "/claims/?q=Baotou&o=rank",
            admin + q(**open_statuses, q="Baotou"),
        ),
        Page("claim page", f"/claims/{claim.pk}/", admin + f"{claim.pk}/change/", listing=False),
        # Its panels as htmx asks for them: the candidates load themselves after the page;
        # the notes answer a note, the timeline refreshes after any change. No admin page.
        *(
            Page(
                f"claim page: {name} panel",
                f"/claims/{claim.pk}/?panel={name}",
                None,
                listing=False,
                htmx=True,
                must_contain=f'id="{name}"',
            )
            for name in ("candidates", "notes", "history")
        ),
        Page(
            "article page",
            f"/sources/articles/{article.pk}/",
            PREFIX + f"sources/article/{article.pk}/change/",
            listing=False,
        ),
    ]


def users():
    """A lead for the workbench's pages and a superuser for the admin's."""
    from django.core.management import call_command

    from workbench.models import User

    lead = User.objects.filter(username="benchlead").first()
    if lead is None:
        call_command(
            "create_user", "benchlead", role="lead", password="bench-password-1", stdout=StringIO()
        )
        lead = User.objects.get(username="benchlead")
    superuser = User.objects.filter(username="benchadmin").first()
    if superuser is None:
        superuser = User.objects.create_superuser("benchadmin", password="bench-password-1")
    return lead, superuser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument(
        "--pages", default="", help="time only the pages whose label contains one of these words"
    )
    args = parser.parse_args()
    wanted = [word.strip() for word in args.pages.split(",") if word.strip()]

    print_calibration()
    url = django_setup(fresh=not args.reuse, name="1m")
    from django.test import Client, override_settings

    from claims.models import Claim

    if not Claim.objects.exists():
        load(args.claims)
    collect_static()
    lead, superuser = users()
    ours, theirs = Client(raise_request_exception=False), Client(raise_request_exception=False)
    ours.force_login(lead)
    theirs.force_login(superuser)

    print(f"database        : {url}, {Claim.objects.count():,} claims; {args.runs} runs a page")
    print(
        "baseline        : Django's admin, same filters, order and page size "
        "(bench/admin_baseline.py)"
    )
    print(
        f"{'page':42} {'median ms':>9} {'p95':>7} {'admin ms':>9} {'p95':>7} {'× admin':>8}"
        f" {'rows':>5}  goal"
    )
    with override_settings(ROOT_URLCONF="bench.admin_baseline"):
        for page in pages_to_time(lead):
            if wanted and not any(word in page.label for word in wanted):
                continue
            median, p95, body = timed(ours, page.label, page.url, args.runs, htmx=page.htmx)
            rows = QUEUE_ROW.findall(body)
            if page.must_contain and page.must_contain not in body:
                fail(f"{page.label}: {page.url} answered without {page.must_contain}")
            if page.admin_url is None:
                print(
                    f"{page.label:42} {median:9.1f} {p95:7.1f} {'—':>9} {'—':>7} {'':>8}"
                    f" {len(rows) if page.listing else '':>5}  {goals_text(page, median, None)}",
                    flush=True,
                )
                continue
            a_median, a_p95, a_body = timed(
                theirs, f"{page.label} (admin)", page.admin_url, args.runs
            )
            a_rows = ADMIN_ROW.findall(a_body)
            if page.listing and not rows:
                fail(f"{page.label}: {page.url} lists no claim; nothing was measured")
            if page.listing and not a_rows:
                fail(f"{page.label}: the admin's {page.admin_url} lists no claim")
            if page.same_rows and rows != a_rows:
                fail(
                    f"{page.label}: the queue and the admin list different claims "
                    f"({len(rows)} rows from {rows[:3]}…, admin {len(a_rows)} from {a_rows[:3]}…)"
                )
            times = ratio(a_median, median)
            print(
                f"{page.label:42} {median:9.1f} {p95:7.1f} {a_median:9.1f} {a_p95:7.1f}"
                f" {times:7.1f}× {len(rows) if page.listing else '':>5}"
                f"  {goals_text(page, median, times)}",
                flush=True,
            )
    print("(× admin: the admin's median over the workbench's; rows: claims the page lists)")


if __name__ == "__main__":
    main()
