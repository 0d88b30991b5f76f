"""bench/provenance.py measures what it says, and fails loudly when a page was not imported."""

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Two invented pages: a wire copy with its credit, and an empty file the import refuses.
GOOD = (
    "Harbour cranes return\n\nHAVENBY, March 3 (Reuters) - The port of Havenby put its "
    "three new cranes to work on Monday after a year of delays, the port authority said.\n"
)
COLUMNS = ["file", "url", "outlet", "outlet_domain", "published", "byline", "event", "origin"]


def _corpus(tmp_path: Path, pages: dict[str, str]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with (corpus / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        for name, text in pages.items():
            (corpus / name).write_text(text, encoding="utf-8")
            writer.writerow(
                {
                    "file": name,
                    "url": f"https://havenby-post.example/{name}",
                    "outlet": "Havenby Post",
                    "outlet_domain": "havenby-post.example",
                    "event": "cranes",
                    "origin": "Reuters",
                }
            )
    return corpus


def _bench(tmp_path: Path, corpus: Path) -> subprocess.CompletedProcess:
    env = os.environ | {
        "BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "DJANGO_DEBUG": "1",
    }
    return subprocess.run(
        [sys.executable, "bench/provenance.py", "--corpus", str(corpus)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_bench_prints_its_figures_and_fails_when_a_page_was_not_imported(tmp_path):
    corpus = _corpus(tmp_path, {"01_cranes.txt": GOOD, "02_empty.txt": ""})
    run = _bench(tmp_path, corpus)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "02_empty.txt: NOT IMPORTED" in run.stdout
    assert "origin right for wire copies: 1/2" not in run.stdout  # the missing page is not counted
    assert "origin right for wire copies: 1/1" in run.stdout
    assert "1 corpus page(s) were not imported" in run.stderr


def test_bench_passes_and_compares_with_the_manifest(tmp_path):
    copy = GOOD.replace("Harbour cranes return", "Cranes at work")
    corpus = _corpus(tmp_path, {"01_cranes.txt": GOOD, "02_copy.txt": copy})
    run = _bench(tmp_path, corpus)
    assert run.returncode == 0, run.stdout + run.stderr
    bare, with_urls = run.stdout.split("## with a manifest of URLs")
    assert "publisher right 0 / unknown 2 / wrong 0" in bare
    assert "publisher right 2 / unknown 0 / wrong 0" in with_urls
    assert "origin right for wire copies: 2/2" in with_urls
    assert "same-event pairs in one syndication cluster: 1/1" in with_urls
