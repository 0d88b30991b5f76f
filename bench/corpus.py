"""Build a corpus of distinct synthetic articles by recombining the sample articles' sentences.

Nothing of the samples is stored in the repository: the sentences are read from
../shared/seeds at run time and shuffled into new page dumps (headline, a `Published:` line in
one of the samples' formats, a byline, paragraphs, and some page chrome).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sources.ingest.kinds import SegmentKind
from sources.ingest.pipeline import process_bytes

DATE_FORMATS = (
    "Published: {d:%b} {d.day}, {d:%Y} {h}:{d:%M} {ampm}",
    "Published : {d:%B} {d.day}, {d:%Y} - {d:%H}:{d:%M}",
    "Published: {d:%Y}/{d.month}/{d.day} {d:%H}:{d:%M}:{d:%S}",
)
CHROME = ("0 Comments", "    • Link copied", "blog comments powered by Disqus", "Related")


@dataclass
class SentencePool:
    headlines: list[str]
    sentences: list[str]
    bylines: list[str]


def sentence_pool(seeds_dir: Path) -> SentencePool:
    """Segment every sample with the real pipeline and collect its headlines and sentences."""
    headlines, sentences, bylines = [], [], []
    for path in sorted(seeds_dir.glob("*.txt")):
        processed = process_bytes(path.read_bytes(), source_name=path.name)
        text = processed.text
        if processed.meta.byline:
            bylines.append(processed.meta.byline)
        for seg in processed.segments:
            span = text[seg.start : seg.end].replace("\n", " ")
            if seg.kind == SegmentKind.HEADLINE:
                headlines.append(span)
            elif seg.kind in (SegmentKind.STATEMENT, SegmentKind.QUOTE):
                sentences.append(span)
    return SentencePool(headlines, sentences, bylines or ["Staff reporter"])


def synthetic_article(pool: SentencePool, n: int, rng: random.Random) -> str:
    """Return the n-th synthetic page dump (distinct: the headline carries n)."""
    from datetime import datetime, timedelta

    d = datetime(2010, 1, 1) + timedelta(minutes=rng.randrange(0, 15 * 365 * 24 * 60))
    h = d.hour % 12 or 12
    date_line = rng.choice(DATE_FORMATS).format(d=d, h=h, ampm="AM" if d.hour < 12 else "PM")
    lines = [f"{rng.choice(pool.headlines)} ({n})", date_line, f"By {rng.choice(pool.bylines)}", ""]
    for _ in range(rng.randint(4, 9)):
        lines.append(" ".join(rng.sample(pool.sentences, rng.randint(1, 4))))
        lines.append("")
    if rng.random() < 0.5:
        lines.append(rng.choice(CHROME))
    return "\n".join(lines) + "\n"


def write_corpus(pool: SentencePool, folder: Path, count: int, seed: int = 2026) -> int:
    """Write `count` synthetic articles into `folder`; return the total bytes written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(count):
        data = synthetic_article(pool, n, rng).encode("utf-8")
        (folder / f"article-{n:06d}.txt").write_bytes(data)
        total += len(data)
    return total
