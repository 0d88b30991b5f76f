"""Ingestion throughput on PostgreSQL: 10,000 synthetic articles through `import_articles`.

Run:  ./scripts/bench-ingest            (or: .venv/bin/python bench/ingest_throughput.py)
Options: --articles N (default 10000), --jobs N (parsing processes, default 2),
         --naive-sample N (articles stored the naive way, one save() per claim; default 200).
Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/workbench_bench), which it
drops and recreates. Prints articles/s, claims/s, MB/s, and the ratio to the naive path.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import SEEDS_DIR, django_setup, rss_mb


def naive_store(folder: Path, sample: int, *, atomic: bool) -> tuple[int, float]:
    """Store `sample` articles with one `save()` per claim (history via signals); time it.

    With `atomic=False` this is Django's default autocommit: every save is its own transaction,
    the way a first implementation would do it. With `atomic=True` each article's saves share
    one transaction, which is already half an optimisation.
    """
    from contextlib import nullcontext

    from django.db import transaction

    from claims.models import Claim
    from sources.ingest.pipeline import process_bytes
    from sources.models import Article

    paths = sorted(folder.glob("*.txt"))[:sample]
    processed = [process_bytes(p.read_bytes(), source_name=p.name) for p in paths]
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
    return claims, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()

    url = django_setup(fresh=True)
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
        out = io.StringIO()
        try:
            call_command(
                "import_articles",
                str(folder),
                "--jobs",
                str(args.jobs),
                "--no-cluster",
                stdout=out,
                verbosity=0,
            )
        except SystemExit as exc:
            print(out.getvalue()[-2000:])
            raise SystemExit(f"import failed with exit code {exc.code}") from exc
        elapsed = time.perf_counter() - started
        articles = Article.objects.count()
        claims = Claim.objects.count()
        history = Claim.history.count()
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
            store_only = _store_only_rate(folder, args.naive_sample)
            print(f"bulk path       : {store_only:,.0f} claims/s (storage only, parsing excluded)")
            for atomic, label in ((False, "autocommit"), (True, "one transaction per article")):
                naive_claims, naive_time = naive_store(folder, args.naive_sample, atomic=atomic)
                naive_rate = naive_claims / naive_time
                print(
                    f"naive save()    : {naive_rate:,.0f} claims/s ({label}; {naive_claims:,} "
                    f"claims in {naive_time:.1f} s) -> bulk path {store_only / naive_rate:.1f}x, "
                    f"whole import {rate / naive_rate:.1f}x"
                )


def _store_only_rate(folder: Path, sample: int) -> float:
    """Time the service's bulk storage alone on the same sample (parsing done beforehand)."""
    from sources.ingest.pipeline import process_bytes
    from sources.management.commands.import_articles import STORE_GROUP
    from sources.models import Article
    from sources.registry import PublisherRegistry
    from sources.services import articles_store

    paths = sorted(folder.glob("*.txt"))[:sample]
    processed = [process_bytes(p.read_bytes(), source_name=p.name) for p in paths]
    Article.objects.filter(sha256__in=[p.sha256 for p in processed]).delete()
    publishers = PublisherRegistry.load()
    started = time.perf_counter()
    claims = 0
    for k in range(0, len(processed), STORE_GROUP):
        group = [(item, 0) for item in processed[k : k + STORE_GROUP]]
        claims += sum(
            r.claims_created for r in articles_store(group, by=None, publishers=publishers)
        )
    return claims / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
