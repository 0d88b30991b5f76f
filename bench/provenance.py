"""Who published each page and whose text it is, on the development corpus (issue 11).

Run:  .venv/bin/python bench/provenance.py [--corpus ../shared/corpus]

Imports ../shared/corpus/ twice through the real `import_articles` command, each time into a
freshly created database (BENCH_DATABASE_URL, else BENCH_DATABASE_PREFIX + "provenance"; the
publisher registry is loaded by migration as on any fresh install):
  (a) bare text;  (b) with a manifest made at run time from manifest.csv's `file` and `url`
  columns only (skipped, and said so, where `import_articles` has no --manifest).
For each run it prints, against the corpus's manifest.csv: publisher right / unknown / wrong,
origin right for the wire copies (names compared through the registry, so "AP" is Associated
Press), date and byline right, the titles (for a person to judge), claims in the triage queue
that look like page furniture, same-event copy pairs clustered, and the independence verdicts
the claim page offers between same-event pages: for each pair, the candidate evidence
(claims/candidates.py) one page's claims get from the other's, with the verdicts counted —
copies (the manifest gives one's origin as the other's origin or outlet) should be "not
independent", and nothing should be "unknown" once the publishers are known.
Exits 1 when no article was imported, or a page of the corpus was not.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import re
import sys
import tempfile
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._setup import ROOT, django_setup, print_calibration

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


def head(value: str) -> str:
    """A manifest name without its explanation: "BelTA (citing Izvestia)" -> "BelTA"."""
    return re.split(r"\s[(/]", value or "", maxsplit=1)[0].strip()


def same_outlet(registry, truth: str, publisher) -> bool:
    """Whether a manifest's outlet name is this publisher: by name, alias or registry lookup."""
    if publisher is None or not truth:
        return False
    if norm(truth) in names_of(publisher) or norm(head(truth)) in names_of(publisher):
        return True
    found = registry.find(name=head(truth)) or registry.find(name=truth)
    return found is not None and found.pk == publisher.pk


def source_of(registry, value: str) -> str:
    """A comparable key for a manifest outlet/origin name (the registry's id when listed)."""
    found = registry.find(name=head(value)) or registry.find(name=value)
    return f"#{found.pk}" if found is not None else norm(head(value))


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


def report(label: str, rows: list[dict]) -> tuple[int, int]:
    """Print the figures for one import; return (articles imported, corpus pages missing)."""
    from claims.models import Claim
    from sources.ingest.domains import registrable_domain
    from sources.models import Article
    from sources.registry import PublisherRegistry

    registry = PublisherRegistry.load()
    articles = {
        Path(a.source_name).name: a for a in Article.objects.select_related("publisher", "origin")
    }
    print(f"\n## {label}: {len(articles)} articles imported")
    pub = {"right": 0, "unknown": 0, "wrong": 0}
    origin_right = origin_total = 0
    dates = dict.fromkeys(["right", "not found", "wrong", "dated, manifest has none"], 0)
    bylines = [0, 0]
    missing = 0
    for row in rows:
        article = articles.get(row["file"])
        if article is None:
            print(f"  {row['file']}: NOT IMPORTED")
            missing += 1
            continue
        p = article.publisher
        if p is None:
            verdict = "unknown"
        elif same_outlet(registry, row["outlet"], p) or registrable_domain(
            row["outlet_domain"]
        ) in {registrable_domain(d) for d in p.domains or []}:
            verdict = "right"
        else:
            verdict = "wrong"
        pub[verdict] += 1
        line = f"  {row['file'][:44]:44} publisher {verdict:7} ({p.name if p else '—'})"
        if row["origin"]:
            origin_total += 1
            ok = same_outlet(registry, row["origin"], article.origin)
            origin_right += ok
            line += f" origin {'right' if ok else 'MISSED'} ({article.origin or '—'})"
        found = article.published_at.date().isoformat() if article.published_at else ""
        if not row["published"]:
            dates["dated, manifest has none"] += bool(found)
        elif not found:
            dates["not found"] += 1
        else:
            dates["right" if found == row["published"] else "wrong"] += 1
        if row["byline"]:
            bylines[1] += 1
            bylines[0] += norm(row["byline"]) in norm(article.byline) and bool(article.byline)
        print(line)
        print(f"      title: {article.title[:90]!r}  byline: {article.byline[:40]!r}")
    queue = Claim.objects.triageable()
    chrome = [c.text for c in queue.only("text") if CHROME_LIKE.search(c.text.strip())]
    clustered = 0
    pairs = 0
    by_event: dict[str, list] = {}
    for row in rows:
        if row["event"] and row["file"] in articles:
            by_event.setdefault(row["event"], []).append(row)
    for same in by_event.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                pairs += 1
                x, y = articles[a["file"]], articles[b["file"]]
                clustered += (
                    bool(x.cluster_origin_id) and x.cluster_origin_id == y.cluster_origin_id
                )
    print(f"\n  publisher right {pub['right']} / unknown {pub['unknown']} / wrong {pub['wrong']}")
    print(f"  origin right for wire copies: {origin_right}/{origin_total}")
    print("  dates: " + ", ".join(f"{k} {v}" for k, v in dates.items()))
    print(f"  byline right {bylines[0]}/{bylines[1]}")
    print(f"  chrome-like claims in the queue: {len(chrome)}")
    for text in chrome[:20]:
        print(f"      {text[:90]!r}")
    print(f"  same-event pairs in one syndication cluster: {clustered}/{pairs}")
    independence_report(registry, articles, by_event)
    return len(articles), missing


def independence_report(registry, articles: dict, by_event: dict[str, list]) -> None:
    """The verdicts the claim page offers between same-event pages, pair by pair."""
    from collections import Counter

    from claims.candidates import candidate_evidence
    from claims.models import Claim

    event_of = {row["file"]: event for event, same in by_event.items() for row in same}
    row_of = {row["file"]: row for same in by_event.values() for row in same}
    file_of = {a.pk: name for name, a in articles.items()}
    offered: dict[tuple[str, str], Counter] = {}
    reasons: dict[tuple[str, str], Counter] = {}
    claims = Claim.objects.triageable().filter(article__in=[articles[f] for f in event_of])
    for claim in claims.select_related("article__publisher", "article__origin"):
        mine = file_of[claim.article_id]
        for candidate in candidate_evidence(claim, registry=registry):
            theirs = file_of.get(candidate.claim.article_id)
            if theirs is None or event_of.get(theirs) != event_of[mine]:
                continue
            pair = tuple(sorted((mine, theirs)))
            offered.setdefault(pair, Counter())[candidate.independence] += 1
            reason = re.split(r"[:(—]", candidate.reason, maxsplit=1)[0].strip()
            reasons.setdefault(pair, Counter())[reason] += 1

    def is_copy(a: dict, b: dict) -> bool:
        a_from = source_of(registry, a["origin"]) if a["origin"] else ""
        b_from = source_of(registry, b["origin"]) if b["origin"] else ""
        a_is, b_is = source_of(registry, a["outlet"]), source_of(registry, b["outlet"])
        return bool(a_from and a_from in {b_from, b_is}) or bool(b_from and b_from == a_is)

    total = Counter()
    copies = [0, 0]  # judged not independent, copy pairs offered
    others = Counter()
    print("\n  independence between same-event pages (candidate evidence offered on claim pages):")
    for pair in sorted(offered):
        counts = offered[pair]
        total.update(counts)
        copy = is_copy(row_of[pair[0]], row_of[pair[1]])
        if copy:
            copies[1] += 1
            copies[0] += counts.get("not_independent", 0) == sum(counts.values())
        else:
            others[max(counts, key=counts.get)] += 1
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
        why = "; ".join(r for r, _ in reasons[pair].most_common(2))
        kind = "copy " if copy else "other"
        print(f"    {pair[0][:2]} x {pair[1][:2]} {kind} {verdicts:40} {why[:70]}")
    pairs = sum(len(s) * (len(s) - 1) // 2 for s in by_event.values())
    print(
        f"  pairs with candidates offered: {len(offered)}/{pairs}; candidates: "
        + ", ".join(f"{v} {n}" for v, n in sorted(total.items()))
    )
    print(f"  copy pairs judged not independent on every candidate: {copies[0]}/{copies[1]}")
    print(
        "  other pairs, mostly: "
        + (", ".join(f"{v} {n}" for v, n in sorted(others.items())) or "none")
    )


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
    print_calibration()
    rows = list(csv.DictReader(manifest_csv.open(encoding="utf-8")))
    django_setup(fresh=True, name="provenance")
    from imports.management.commands.import_articles import Command

    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        for row in rows:
            (pages / row["file"]).write_bytes((corpus / row["file"]).read_bytes())
        print(import_corpus(pages, None)[-300:])
        imported, missing = report("bare text", rows)
        if imported == 0 or missing:
            print(
                f"bench/provenance.py: {missing or len(rows)} corpus page(s) were not imported",
                file=sys.stderr,
            )
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
        django_setup(fresh=True, name="provenance")
        print(import_corpus(pages, manifest)[-300:])
        imported, missing = report("with a manifest of URLs", rows)
        if imported == 0 or missing:
            print(
                f"bench/provenance.py: {missing} corpus page(s) were not imported", file=sys.stderr
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
