"""Ingestion throughput on PostgreSQL: 10,000 synthetic articles through `import_articles`.

Run:  .venv/bin/python bench/ingest_throughput.py   (or: ./scripts/bench ingest_throughput)
Options: --articles N (default 10000), --jobs N (parsing processes, default 2),
         --naive-sample N (articles stored the naive way, one save() per claim; default 200).

Uses BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "ingest" (default
postgres://postgres@127.0.0.1:5432/workbench_bench_ingest), dropped and recreated. Imports
the corpus (bench/corpus.py: the samples' sentences recombined) with the command, then times
the same articles' storage alone, and the baseline: the naive path, one `save()` per claim
(history through signals), on the first --naive-sample articles of the same corpus, parsed
beforehand so that only storage is timed. Prints articles/s, claims/s, MB/s and the ratios to
the naive path: the bulk storage's on the same articles, storage against storage (goal ≥ 20×
naive autocommit saves), and the whole import's, parsing included on its side only.

Fails (exit 1, the first error printed) when the command fails or rejects a file, when fewer
articles or claims are stored than the corpus holds, or a claim has no history row.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import (
    SEEDS_DIR,
    django_setup,
    fail,
    goal_text,
    print_calibration,
    ratio,
    rss_mb,
)

GOAL = 20  # bulk storage ≥ 20× the naive path (autocommit, one save() per claim)


def naive_store(files: list[tuple[str, bytes]], *, atomic: bool) -> tuple[int, float]:
    """Store the articles with one `save()` per claim (history via signals); time it.

    With `atomic=False` this is Django's default autocommit: every save is its own transaction,
    the way a first implementation would do it. With `atomic=True` each article's saves share
    one transaction, which is already half an optimisation. Parsing is done beforehand and not
    timed, so the naive path looks faster than it is.
    """
    from contextlib import nullcontext

    from django.db import transaction

    from claims.models import Claim
    from sources.ingest.pipeline import process_bytes
    from sources.models import Article

    processed = [process_bytes(data, source_name=name) for name, data in files]
    Article.objects.filter(sha256__in=[p.sha256 for p in processed]).delete()
    claims = 0
    started = time.perf_counter()
    for item in processed:
        with transaction.atomic() if atomic else nullcontext():
            article = Article.objects.create(
                title=item.meta.title,
                text=item.text,
                received_text=item.received,
                sha256=item.sha256,
                source_name=item.source_name,
            )
            for seg in item.segments:
                Claim(
                    article=article,
                    start=seg.start,
                    end=seg.end,
                    text=item.text[seg.start : seg.end],
                    kind=seg.kind,
                    score=seg.score,
                ).save()
                claims += 1
    elapsed = time.perf_counter() - started
    if not claims:
        fail(f"the naive path stored no claim from {len(files)} articles")
    return claims, elapsed


def store_only_rate(files: list[tuple[str, bytes]]) -> float:
    """Time the service's bulk storage alone on the same sample (parsing done beforehand)."""
    from imports.management.commands.import_articles import STORE_GROUP
    from imports.storing import articles_store
    from sources.ingest.pipeline import process_bytes
    from sources.models import Article
    from sources.registry import PublisherRegistry

    processed = [process_bytes(data, source_name=name) for name, data in files]
    Article.objects.filter(sha256__in=[p.sha256 for p in processed]).delete()
    publishers = PublisherRegistry.load()
    started = time.perf_counter()
    claims = 0
    for k in range(0, len(processed), STORE_GROUP):
        group = processed[k : k + STORE_GROUP]
        claims += sum(
            r.claims_created for r in articles_store(group, by=None, publishers=publishers)
        )
    if not claims:
        fail(f"the bulk path stored no claim from {len(files)} articles")
    return claims / (time.perf_counter() - started)


def import_folder(folder: Path, jobs: int) -> None:
    """Run `import_articles` on the folder; fail with its first rejection if it fails."""
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command(
            "import_articles", str(folder), "--jobs", str(jobs), "--no-cluster",
            stdout=out, stderr=out, verbosity=0,
        )  # fmt: skip
    except (SystemExit, Exception) as exc:
        lines = out.getvalue().splitlines()
        first = next((line for line in lines if "rejected" in line), lines[-1] if lines else "")
        code = exc.code if isinstance(exc, SystemExit) else repr(exc)
        fail(f"import_articles failed ({code}); first: {first.strip() or 'no output'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()

    print_calibration()
    url = django_setup(fresh=True, name="ingest")
    from django.core.management import call_command

    from bench.corpus import sentence_pool, write_corpus
    from claims.models import Claim
    from sources.models import Article

    with tempfile.TemporaryDirectory(prefix="wb-corpus-") as tmp:
        folder = Path(tmp)
        pool = sentence_pool(SEEDS_DIR)
        size = write_corpus(pool, folder, args.articles)
        print(f"database        : {url}")
        print(
            f"corpus          : {args.articles:,} articles, {size / 1e6:.1f} MB "
            f"({len(pool.sentences)} sample sentences recombined)"
        )

        started = time.perf_counter()
        import_folder(folder, args.jobs)
        elapsed = time.perf_counter() - started
        articles = Article.objects.count()
        claims = Claim.objects.count()
        history = Claim.history.count()
        if articles != args.articles:
            fail(f"{articles:,} articles stored of the corpus's {args.articles:,}")
        if not claims or history != claims:
            fail(f"{claims:,} claims stored with {history:,} history rows")
        rate = claims / elapsed
        print(
            f"imported        : {articles:,} articles, {claims:,} claims, {history:,} history rows"
        )
        print(f"time            : {elapsed:.1f} s with --jobs {args.jobs}")
        print(
            f"throughput      : {articles / elapsed:,.0f} articles/s, {rate:,.0f} claims/s, "
            f"{size / 1e6 / elapsed:.2f} MB/s"
        )
        print(f"peak RSS (main) : {rss_mb():.0f} MB")
        started = time.perf_counter()
        call_command("cluster_articles", stdout=io.StringIO())
        clustering = time.perf_counter() - started
        print(
            f"clustering      : {clustering:.1f} s for the batch (import_articles does this "
            f"after storing; here timed apart) -> {elapsed + clustering:.1f} s in all"
        )

        if args.naive_sample:
            sample = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.txt"))]
            sample = sample[: args.naive_sample]
            store_only = store_only_rate(sample)
            print(f"bulk path       : {store_only:,.0f} claims/s (storage only, parsing excluded)")
            for atomic, label in ((False, "autocommit"), (True, "one transaction per article")):
                naive_claims, naive_time = naive_store(sample, atomic=atomic)
                naive_rate = naive_claims / naive_time
                bulk = ratio(store_only, naive_rate)
                goal = goal_text(bulk, None if atomic else GOAL)
                print(
                    f"naive save()    : {naive_rate:,.0f} claims/s ({label}; {naive_claims:,} "
                    f"claims in {naive_time:.1f} s) -> bulk path {bulk:.1f}×"
                    + (f" ({goal})" if goal else "")
                    + f", whole import {ratio(rate, naive_rate):.1f}×"
                )


if __name__ == "__main__":
    main()
