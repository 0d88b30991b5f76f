"""Candidate evidence at 1,000,000 claims (PostgreSQL); syndication clustering of 10,000 articles.

Run:  .venv/bin/python bench/independence.py [--claims N] [--runs N] [--articles N] [--reuse]

1. Candidate-evidence lookup: the database of bench/triage_pages.py (its `load()`; the
   samples multiplied in SQL to --claims claims; BENCH_DATABASE_URL, else
   BENCH_DATABASE_PREFIX + "1m", recreated unless --reuse), ANALYZEd so the rare-lexeme
   statistics exist; times `claims.candidates.candidate_evidence()` (rare lexemes, prefilter,
   word-overlap ranking and the independence judgement of each candidate) for --runs claims.
   Target: median ≤ 25 ms. Baseline, on --baseline-runs of the same claims: the whole-table
   pg_trgm `similarity()` scan the two-step lookup replaces.
2. Clustering: --articles synthetic articles from bench/corpus.py (the samples' sentences
   recombined) plus 5 % deliberate near-copies (a sentence dropped, a word changed); times
   sketching and clustering (inverted index, verification, union-find), and checks that every
   deliberate copy landed in its original's cluster. Target: ≤ 60 s. Baseline: comparing
   every pair of sketches, timed with the indexed clustering on the first --naive-articles.

Fails (exit 1) when no lookup found a candidate or no deliberate copy was clustered.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._setup import SEEDS_DIR, django_setup, fail, print_calibration, ratio
from workbench.db import is_postgres


def bench_candidates(target: int, runs: int, baseline_runs: int) -> None:
    from django.db import connection

    from bench.triage_pages import load
    from claims.candidates import candidate_evidence
    from claims.models import Claim, ClaimKind
    from sources.registry import PublisherRegistry

    if not Claim.objects.exists():
        load(target)
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT most_common_elems IS NOT NULL FROM pg_stats "
                "WHERE tablename = 'claims_claim' AND attname = 'search_vector'"
            )
            row = cur.fetchone()
            if not row or not row[0]:
                cur.execute("ANALYZE claims_claim")
    rng = random.Random(4)
    top = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    picked = []
    while len(picked) < runs:
        claim = (
            Claim.objects.filter(id__gte=rng.randrange(1, top), kind=ClaimKind.STATEMENT)
            .select_related("article__publisher")
            .order_by("id")
            .first()
        )
        if claim is not None:
            picked.append(claim)
    registry = PublisherRegistry.load()
    candidate_evidence(picked[0], registry=registry)  # warm the connection and caches
    times, found = [], []
    for claim in picked:
        started = time.perf_counter()
        result = candidate_evidence(claim, registry=registry)
        times.append((time.perf_counter() - started) * 1000)
        found.append(len(result))
    times.sort()
    if not any(found):
        fail(f"candidate evidence found nothing for any of {runs} claims: nothing was measured")
    median = statistics.median(times)
    print(f"claims                          : {Claim.objects.count():,}")
    print(
        f"candidate evidence, ms          : median {median:.1f}, "
        f"p95 {times[max(0, int(len(times) * 0.95) - 1)]:.1f}, max {times[-1]:.1f} "
        f"({runs} claims, {statistics.mean(found):.1f} candidates each)"
    )
    naive = sorted(trigram_scan_ms(c) for c in picked[:baseline_runs]) if is_postgres() else []
    if naive:
        print(
            f"baseline: whole-table trigram   : median {statistics.median(naive):.1f} ms "
            f"({len(naive)} of the same claims) -> lookup "
            f"{ratio(statistics.median(naive), median):.1f}x faster"
        )


def trigram_scan_ms(claim) -> float:
    """Time the naive lookup: every other article's claim ranked by pg_trgm similarity()."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """SELECT id FROM claims_claim WHERE article_id <> %s AND kind <> 'chrome'
               ORDER BY similarity(text, %s) DESC, id LIMIT 8""",
            [claim.article_id, claim.text],
        )
        cur.fetchall()
    return (time.perf_counter() - started) * 1000


def bench_clustering(count: int, naive_count: int) -> None:
    from bench.corpus import sentence_pool, synthetic_article
    from sources.ingest.fingerprint import compare, sketch
    from sources.ingest.syndication import Item, clusters

    pool = sentence_pool(SEEDS_DIR)
    rng = random.Random(2026)
    texts = [synthetic_article(pool, n, rng) for n in range(count)]
    copies: dict[int, int] = {}
    for n in rng.sample(range(count), count // 20):
        paragraphs = texts[n].split("\n\n")
        if len(paragraphs) > 3:
            del paragraphs[rng.randrange(1, len(paragraphs))]  # an editor cut a paragraph
        copy = "\n\n".join(paragraphs).replace(" the ", " this ", 1)
        copies[len(texts)] = n
        texts.append(copy)
    started = time.perf_counter()
    items = [Item(i, sketch(text)) for i, text in enumerate(texts)]
    sketched = time.perf_counter()
    result = clusters(items)
    done = time.perf_counter()
    found = sum(1 for c, o in copies.items() if c in result and result[c] == result.get(o))
    print(f"articles                        : {len(texts):,} ({len(copies):,} deliberate copies)")
    print(f"sketching, s                    : {sketched - started:.1f}")
    print(f"clustering, s                   : {done - sketched:.1f}")
    print(f"total, s                        : {done - started:.1f}")
    print(
        f"clusters                        : {len(set(result.values())):,} "
        f"({len(result):,} articles); deliberate copies found {found}/{len(copies)}"
    )
    if copies and not found:
        fail("no deliberate copy landed in its original's cluster: nothing was clustered")
    if naive_count:
        subset = items[:naive_count]
        started = time.perf_counter()
        clusters(subset)
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        near = sum(
            compare(a.fingerprint, b.fingerprint).near_copy
            for i, a in enumerate(subset)
            for b in subset[i + 1 :]
        )
        pairs = time.perf_counter() - started
        print(
            f"baseline: every pair compared   : {pairs:.1f} s for the first {len(subset):,} "
            f"articles ({near} near pairs) vs clustering them {indexed:.2f} s -> "
            f"{ratio(pairs, indexed):.1f}x faster"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--baseline-runs", type=int, default=2)
    parser.add_argument("--naive-articles", type=int, default=2_000)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--skip-candidates", action="store_true")
    args = parser.parse_args()
    print_calibration()
    url = django_setup(fresh=not args.reuse, name="1m")
    print(f"database                        : {url}")
    if not args.skip_candidates:
        bench_candidates(args.claims, args.runs, args.baseline_runs)
    bench_clustering(args.articles, args.naive_articles)


if __name__ == "__main__":
    main()
