"""Claim families: precision and recall of the matching, and the time to group N claims.

Run:  .venv/bin/python bench/families.py [--claims N] [--import-articles N] [--naive N]

1. Labelled pairs (families/data/pairs.csv, invented sentences, each with how it was judged):
   precision and recall of `sources.ingest.statements.match`, and the pairs it gets wrong.
2. Corpus copies (../shared/corpus/, read at run time; manifest `origin`/`event`): every page
   segmented by the real pipeline and its claims grouped in memory. Precision: of the claim
   pairs grouped across two articles, the share whose articles report one event (a family
   across two events is wrong). Recall: of the article pairs that are copies of one origin's
   text (same event, same `origin`), the share with at least one family in common.
3. Whole database (BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "families", recreated):
   --claims claims made of the samples' words, a tenth of them reprints of a recent claim
   (exact, a word dropped or changed, or another figure: a conflict), written in bulk; times
   `families_group_all()` (the `group_claim_families` command). Baseline: comparing every
   pair of the first --naive claims. Then
   --import-articles articles imported through the import pipeline, and the time its family
   step (`families_group_new`) takes for their claims. Goal at 1,000,000 claims: the whole
   database in minutes, an import of 1,000 articles in seconds. Smoke with a small --claims.
4. The queue with families at that size (after VACUUM ANALYZE, through Django's test client
   as a lead, --runs runs a page, a warm-up first): the default queue (one row a family),
   the next page (its cursor), a publisher, the conflicts filter and a search. Goal (the
   queue's): ≤ 30 ms a page. `--queue-only` times these on the database a run left;
   `--import-only` the import and its family step (adding its articles to that database).

Fails (exit 1) when no family was found.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._setup import (
    ROOT,
    SEEDS_DIR,
    collect_static,
    django_setup,
    fail,
    print_calibration,
    ratio,
    vacuum_analyze,
)

CORPUS = ROOT.parent / "shared" / "corpus"
PAIRS = ROOT / "families" / "data" / "pairs.csv"


def bench_pairs() -> None:
    from sources.ingest.statements import match

    with PAIRS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    tp = fp = fn = 0
    wrong = []
    for row in rows:
        found, same = match(row["a"], row["b"]) is not None, row["same"] == "yes"
        tp += found and same
        fp += found and not same
        fn += same and not found
        if found != same:
            wrong.append(f"  {'false positive' if found else 'missed'}: {row['judged']}")
    print(
        f"labelled pairs  : {len(rows)} pairs, precision {tp / max(tp + fp, 1):.2f}, "
        f"recall {tp / max(tp + fn, 1):.2f}"
    )
    print("\n".join(wrong))


def bench_corpus() -> None:
    from sources.ingest.kinds import SegmentKind
    from sources.ingest.pipeline import process_bytes
    from sources.ingest.statements import Statement, family_groups

    manifest = CORPUS / "manifest.csv"
    if not manifest.exists():
        print(f"corpus          : skipped, {manifest} not found")
        return
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if (CORPUS / r["file"]).exists()]
    statements, article_of = [], {}
    for n, row in enumerate(rows):
        processed = process_bytes((CORPUS / row["file"]).read_bytes(), source_name=row["file"])
        for seg in processed.segments:
            if seg.kind == SegmentKind.CHROME:
                continue
            pk = len(statements) + 1
            statements.append(Statement(pk, processed.text[seg.start : seg.end], n))
            article_of[pk] = n
    started = time.perf_counter()
    found = family_groups(statements)
    seconds = time.perf_counter() - started
    cross = same_event = 0
    linked: set[tuple[int, int]] = set()
    for group in found:
        for a, b in combinations(sorted(group), 2):
            x, y = article_of[a], article_of[b]
            if x == y:
                continue
            cross += 1
            same_event += rows[x]["event"] == rows[y]["event"]
            linked.add((min(x, y), max(x, y)))
    copies = [
        (x, y)
        for x, y in combinations(range(len(rows)), 2)
        if rows[x]["origin"] and rows[x]["origin"] == rows[y]["origin"]
        if rows[x]["event"] == rows[y]["event"]
    ]
    recalled = sum(pair in linked for pair in copies)
    print(
        f"corpus copies   : {len(rows)} pages, {len(statements)} claims, {len(found)} families "
        f"in {seconds:.2f} s; precision {same_event / max(cross, 1):.2f} "
        f"({same_event}/{cross} cross-article pairs of one event), recall "
        f"{recalled / max(len(copies), 1):.2f} ({recalled}/{len(copies)} copy pairs share a family)"
    )


def _sentences() -> list[str]:
    from bench.corpus import sentence_pool

    pool = sentence_pool(SEEDS_DIR).sentences
    if not pool:
        fail(f"no sample sentences in {SEEDS_DIR}")
    return pool


def _edited(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) < 6:
        return sentence
    i = rng.randrange(1, len(words) - 1)
    if rng.random() < 0.5:
        del words[i]
    else:
        words[i] = "reportedly"
    return " ".join(words)


COPY_SHARE = 0.1  # claims that copy an earlier claim (edited or not): a family of a few
CONFLICT_SHARE = 0.2  # of the copies: the same statement with another figure
WORD_ENDINGS = ("", *"abcdefghijklmnopqrstuvwxyz", "an", "el", "or")


def _statement(words: list[str], rng: random.Random) -> str:
    """A new statement of 10–16 words of the samples' vocabulary, a figure in a third."""
    text = " ".join(rng.choice(words) for _ in range(rng.randint(10, 16))).capitalize()
    if rng.random() < 1 / 3:
        text += f" for ${rng.randrange(10, 900)} million"
    return text + "."


def _copy(sentence: str, rng: random.Random) -> str:
    """A reprint of an earlier statement: exact, edited, or with another figure."""
    if "$" in sentence and rng.random() < CONFLICT_SHARE:
        return re.sub(r"\$\d+", f"${rng.randrange(10, 900)}", sentence)
    return _edited(sentence, rng) if rng.random() < 0.5 else sentence


def load(claims: int, rng: random.Random) -> None:
    """Write `claims` claims in articles of 20 in bulk: statements made of the samples' words,
    a tenth of them reprints of a recent one (families of a few, as wire copies are)."""
    from claims.models import Claim, ClaimKind
    from sources.ingest.pipeline import text_sha256
    from sources.models import Article, Publisher

    # The samples hold some 700 words; a million claims of news hold far more. Variants of
    # each (30 endings) keep unrelated statements from sharing signature bands by chance.
    stems = {w.strip(".,;:()“”\"'").lower() for s in _sentences() for w in s.split()} - {""}
    words = sorted(f"{w}{end}" for w in stems for end in WORD_ENDINGS)
    outlets = [Publisher.objects.create(name=f"Bench outlet {i}") for i in range(20)]
    recent: list[str] = []
    per_article = 20
    for first in range(0, claims, per_article * 500):
        articles, spans = [], []
        for n in range(first, min(claims, first + per_article * 500), per_article):
            sentences = []
            for _ in range(min(per_article, claims - n)):
                if recent and rng.random() < COPY_SHARE:
                    s = _copy(rng.choice(recent), rng)
                else:
                    s = _statement(words, rng)
                    recent = [*recent[-999:], s]
                sentences.append(s)
            text = f"Bench article {n}\n" + "\n".join(sentences)
            articles.append(
                Article(
                    text=text,
                    received_text=text,
                    sha256=text_sha256(text),
                    publisher=rng.choice(outlets),
                    title=f"Bench article {n}",
                )
            )
            spans.append(sentences)
        Article.objects.bulk_create(articles, batch_size=1000)
        rows = []
        for article, sentences in zip(articles, spans, strict=True):
            at = article.text.index("\n") + 1
            for s in sentences:
                rows.append(
                    Claim(
                        article=article,
                        start=at,
                        end=at + len(s),
                        text=s,
                        kind=ClaimKind.STATEMENT,
                        score=rng.randrange(101),
                    )
                )
                at += len(s) + 1
        # Bench data: no history wanted, as bench/triage_pages.py writes its rows in SQL.
        Claim.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


QUEUE_ROW = re.compile(r'<tr data-claim-id="(\d+)"')
NEXT_PAGE = re.compile(r'href="\?([^"]*after=[^"]*)"')
FAMILY_ROW = re.compile(r"<summary>×(\d+) in (\d+) outlets?</summary>")
QUEUE_GOAL_MS = 30.0


def bench_queue(runs: int) -> None:
    """Time queue pages with families (see 4. above); fail when a page lists no claim."""
    import html

    from django.test import Client

    from bench.triage_pages import timed, users
    from sources.models import Publisher

    vacuum_analyze()
    collect_static()
    lead, _ = users()
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    _, _, first = timed(client, "queue", "/claims/", 1)
    after = NEXT_PAGE.search(first)
    publisher = Publisher.objects.filter(name__startswith="Bench outlet").order_by("pk").first()
    pages = [
        ("queue (default)", "/claims/"),
        ("queue, next page", "/claims/?" + html.unescape(after.group(1)) if after else ""),
        ("queue, one publisher", f"/claims/?publisher={publisher.pk}"),
        ("queue, conflicts", "/claims/?conflicts=yes"),
        ("queue, search", "/claims/?q=government"),
    ]
    print(f"{'queue page':30} {'median ms':>9} {'p95':>7} {'rows':>5} {'families':>8}  goal")
    for label, url in pages:
        if not url:
            print(f"{label:30} skipped: the first page has no next page")
            continue
        median, p95, body = timed(client, label, url, runs)
        rows, families = QUEUE_ROW.findall(body), FAMILY_ROW.findall(body)
        if not rows and "conflicts" not in label:
            fail(f"{label}: {url} lists no claim")
        print(
            f"{label:30} {median:9.1f} {p95:7.1f} {len(rows):5} {len(families):8}"
            f"  goal ≤ {QUEUE_GOAL_MS:g} ms: {'met' if median <= QUEUE_GOAL_MS else 'NOT MET'}"
        )


def bench_database(claims: int, articles: int, naive: int, runs: int) -> None:
    django_setup(fresh=True, name="families")
    from claims.models import Claim
    from families.grouping import families_group_all
    from sources.ingest.statements import match

    rng = random.Random(2026)
    started = time.perf_counter()
    load(claims, rng)
    print(
        f"loaded          : {Claim.objects.count():,} claims "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    stats = families_group_all()
    whole = time.perf_counter() - started
    if not stats.families:
        fail("no family found")
    texts = list(Claim.objects.order_by("pk").values_list("text", flat=True)[:naive])
    started = time.perf_counter()
    for a, b in combinations(texts, 2):
        match(a, b)
    baseline = time.perf_counter() - started
    print(
        f"whole database  : {stats.families:,} families of {stats.members:,} claims in "
        f"{whole:.2f} s; baseline every pair of {len(texts):,} claims {baseline:.2f} s "
        f"(ours {ratio(whole, baseline):.2f}x, for {claims / max(len(texts), 1):.0f}x the claims)"
    )
    bench_import(articles, rng)
    bench_queue(runs)


def bench_import(articles: int, rng: random.Random) -> None:
    """Import `articles` articles of edited sample sentences through the import pipeline;
    time it, then their family step again on its own (their memberships deleted first)."""
    from claims.models import Claim
    from families.grouping import families_group_new
    from families.models import FamilyMember, FigureConflict
    from imports.in_process import articles_import

    pool = _sentences()
    files = []
    for n in range(articles):
        body = "\n\n".join(_edited(rng.choice(pool), rng) for _ in range(8))
        files.append((f"bench-{n}.txt", f"Bench import {n}\n\n{body}\n".encode()))
    started = time.perf_counter()
    batch, _ = articles_import(files, by=None, origin="bench")
    imported = time.perf_counter() - started
    ids = list(Claim.objects.filter(article__import_batch=batch).values_list("pk", flat=True))
    FamilyMember.objects.filter(claim_id__in=ids).delete()
    started = time.perf_counter()
    joined = families_group_new(claim_ids=ids)
    step = time.perf_counter() - started
    print(
        f"import          : {articles} articles ({len(ids)} claims) imported in {imported:.2f} s; "
        f"their family step {step:.2f} s, {joined} claims joined a family"
    )
    print(
        f"families        : {FamilyMember.objects.count():,} claims in families, "
        f"{FigureConflict.objects.count():,} conflict rows (both ways round)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--import-articles", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15, help="runs a queue page")
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="time only the import and its family step, on the database a previous run left"
        " (its articles are added to it)",
    )
    parser.add_argument(
        "--queue-only",
        action="store_true",
        help="time only the queue pages, on the database a previous run left",
    )
    args = parser.parse_args()
    print_calibration()
    if args.import_only or args.queue_only:
        django_setup(fresh=False, name="families")
        from claims.models import Claim

        if not Claim.objects.exists():
            fail("the bench database is empty: run without --import-only/--queue-only first")
        print(f"database        : {Claim.objects.count():,} claims (a previous run's)")
        if args.import_only:
            # Other articles than the run's (whose texts are stored already).
            bench_import(args.import_articles, random.Random(Claim.objects.count()))
        if args.queue_only:
            bench_queue(args.runs)
        return
    bench_pairs()
    bench_corpus()
    bench_database(args.claims, args.import_articles, args.naive, args.runs)


if __name__ == "__main__":
    main()
