"""Who published each page and whose text it is, on the development corpus (issue 11).

Run:  .venv/bin/python bench/provenance.py [--corpus ../shared/corpus]

Imports ../shared/corpus/ twice through the real `import_articles` command, each time into a
freshly created database (BENCH_DATABASE_URL, default .../workbench_bench_provenance; the
publisher registry is loaded by migration as on any fresh install):
  (a) bare text;  (b) with a manifest made at run time from manifest.csv's `file` and `url`
  columns only (skipped, and said so, where `import_articles` has no --manifest).
For each run it prints, against the corpus's manifest.csv: publisher right / unknown / wrong,
origin right for the wire copies, date and byline right, the titles (for a person to judge),
claims in the triage queue that look like page furniture, and same-event copy pairs clustered.
Exits 1 when no article was imported.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import re
import sys
import tempfile
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench_bench_provenance"
)

from bench._setup import ROOT, django_setup

CHROME_LIKE = re.compile(
    r"^(read more|share|subscribe|sign up|advertisement|most (viewed|read|popular)|latest|"
    r"related|photo|credit|\d+ comments?)\b|\bdate \d{4}-\d\d-\d\d\b",
    re.IGNORECASE,
)


def norm(value: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", (value or "").casefold()).split())


def names_of(publisher) -> set[str]:
    if publisher is None:
        return set()
    return {norm(n) for n in [publisher.name, *(publisher.aliases or [])] if n}


def import_corpus(corpus: Path, manifest: Path | None) -> str:
    from django.core.management import CommandError, call_command

    out = StringIO()
    args = [str(corpus)]
    if manifest is not None:
        args += ["--manifest", str(manifest)]
    # Exit 1 on a rejected file is reported by the figures below.
    with contextlib.suppress(SystemExit, CommandError):
        call_command("import_articles", *args, stdout=out, stderr=out)
    return out.getvalue()


def report(label: str, rows: list[dict]) -> int:
    from claims.models import Claim
    from sources.ingest.domains import registrable_domain
    from sources.models import Article

    articles = {
        Path(a.source_name).name: a for a in Article.objects.select_related("publisher", "origin")
    }
    print(f"\n## {label}: {len(articles)} articles imported")
    pub = {"right": 0, "unknown": 0, "wrong": 0}
    origin_right = origin_total = 0
    dates = [0, 0]
    bylines = [0, 0]
    for row in rows:
        article = articles.get(row["file"])
        if article is None:
            print(f"  {row['file']}: NOT IMPORTED")
            continue
        p = article.publisher
        if p is None:
            verdict = "unknown"
        elif norm(row["outlet"]) in names_of(p) or registrable_domain(row["outlet_domain"]) in {
            registrable_domain(d) for d in p.domains or []
        }:
            verdict = "right"
        else:
            verdict = "wrong"
        pub[verdict] += 1
        line = f"  {row['file'][:44]:44} publisher {verdict:7} ({p.name if p else '—'})"
        if row["origin"]:
            origin_total += 1
            ok = article.origin is not None and norm(row["origin"]) in names_of(article.origin)
            origin_right += ok
            line += f" origin {'right' if ok else 'MISSED'} ({article.origin or '—'})"
        if row["published"]:
            dates[1] += 1
            dates[0] += bool(article.published_at) and (
                article.published_at.date().isoformat() == row["published"]
            )
        if row["byline"]:
            bylines[1] += 1
            bylines[0] += norm(row["byline"]) in norm(article.byline) and bool(article.byline)
        print(line)
        print(f"      title: {article.title[:90]!r}  byline: {article.byline[:40]!r}")
    queue = Claim.objects.filter(kind="claim") if hasattr(Claim, "kind") else Claim.objects.all()
    chrome = [c.text for c in queue.only("text") if CHROME_LIKE.search(c.text.strip())]
    clustered = 0
    pairs = 0
    by_event: dict[str, list] = {}
    for row in rows:
        if row["event"] and row["file"] in articles:
            by_event.setdefault(row["event"], []).append(articles[row["file"]])
    for same in by_event.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                pairs += 1
                same_cluster = a.cluster_origin_id == b.cluster_origin_id
                clustered += bool(a.cluster_origin_id) and same_cluster
    print(f"\n  publisher right {pub['right']} / unknown {pub['unknown']} / wrong {pub['wrong']}")
    print(f"  origin right for wire copies: {origin_right}/{origin_total}")
    print(f"  date right {dates[0]}/{dates[1]}; byline right {bylines[0]}/{bylines[1]}")
    print(f"  chrome-like claims in the queue: {len(chrome)}")
    for text in chrome[:20]:
        print(f"      {text[:90]!r}")
    print(f"  same-event pairs in one syndication cluster: {clustered}/{pairs}")
    return len(articles)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    manifest_csv = corpus / "manifest.csv"
    if not manifest_csv.is_file():
        print(f"bench/provenance.py: {manifest_csv} not found", file=sys.stderr)
        return 1
    print(f"$ .venv/bin/python bench/provenance.py --corpus {corpus}")
    rows = list(csv.DictReader(manifest_csv.open(encoding="utf-8")))
    django_setup(fresh=True)
    from sources.management.commands.import_articles import Command

    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        for row in rows:
            (pages / row["file"]).write_bytes((corpus / row["file"]).read_bytes())
        print(import_corpus(pages, None)[-300:])
        if report("bare text", rows) == 0:
            print("bench/provenance.py: nothing was imported", file=sys.stderr)
            return 1
        usage = Command().create_parser("manage.py", "import_articles").format_help()
        has_manifest = "--manifest" in usage
        if not has_manifest:
            print("\n## with a manifest of URLs: skipped (import_articles has no --manifest)")
            return 0
        manifest = Path(tmp) / "urls.csv"
        with manifest.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "url"])
            for row in rows:
                writer.writerow([f"pages/{row['file']}", row["url"]])
        from django.db import connection

        connection.close()
        django_setup(fresh=True)
        print(import_corpus(pages, manifest)[-300:])
        report("with a manifest of URLs", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
