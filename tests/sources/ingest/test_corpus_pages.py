"""The development corpus (../shared/corpus): real pages from outlets no rule was written for.

Each file goes through the whole pipeline (`pipeline.process_bytes`) and is checked against
manifest.csv: the date where the manifest has one and the page prints it, the byline where
the manifest has one and the page prints it, no page furniture among the claims, and a
title that is not a timestamp, a section name, "Press Release" or the outlet's name.

The furniture kinds below are written here, independently of `sources/ingest/page.py`, as
shapes (a counter, a credit, a timestamp…), never as text copied from the corpus. Run with
`-s` to see every page's metadata and claims.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date

import pytest

from sources.ingest.kinds import CLAIM_KINDS
from sources.ingest.pipeline import process_bytes
from sources.ingest.types import ProcessedArticle
from tests.conftest import shared_path

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# What a claim must never be, by kind of page furniture.
FURNITURE = {
    "index date": re.compile(r"^\s*date \d{4}-\d{2}-\d{2}"),
    "timestamp": re.compile(
        r"^(?:(?:updated|posted|published)\b.*|.*\b\d+\s+(?:minutes?|hours?|days?) ago)$", re.I
    ),
    "date line": re.compile(
        r"^(?:\w+day,?\s+)?(?:\w{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w{3,9}\.?,?\s+\d{4})"
        r"(?:[\s,|@-]+\d{1,2}[:.]\d{2}.*)?$"
    ),
    "counter": re.compile(r"^\d[\d,.]*\s*k?\s+(?:comments?|views?|shares?|min read)$", re.I),
    "photo credit": re.compile(
        r"^(?:(?:photo\s+)?credits?:.*|.*\bphotos?/.*|\[[^\]]*\]|/\s?[A-Z]\w*|.*\|.*images)$",
        re.I,
    ),
    "sign-off": re.compile(r"^(?:--|—|–)\s*[A-Z][\w.&' -]{1,40}$"),
    "wire credit": re.compile(
        r"^\(?(?:source:|reporting by|editing by|agencies\b|with inputs from).*\)?$", re.I
    ),
    "label": re.compile(
        r"^(?:references?|reference\(s\)|sources?|comments?|latest( news)?|most (?:viewed|read)"
        r"|related|exhibit [\d.]+|press release|[\w ]{2,20}:\s*\+?[\d .()-]{7,})\s*:?$",
        re.I,
    ),
    "button": re.compile(
        r"^(?:watch|listen|share|subscribe|read more|follow|sign up)\b.{0,30}$", re.I
    ),
    "prompt": re.compile(r"^(?:audio report|newsletter|sign up|welcome to)\b.{0,80}$", re.I),
    "section": re.compile(r"^[A-Z][\w]*(?: (?:&|and) [A-Z]\w*)*(?: News)?$"),
    "domain": re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}$"),
    "symbols": re.compile(r"^[\W_]+$"),
    "e-mail": re.compile(r"^\[email[^\]]*\]$|^[\w.+-]+@[\w-]+\.[\w.]+$"),
}


# Which non-blank line of each corpus page is its headline (read off the pages by a person;
# the manifest notes say which pages have none in the excerpt).
HEADLINE_LINE = {
    "01": 3, "03": 1, "04": 1, "06": 1, "07": 2, "08": 1, "13": 1,
    "14": 2, "15": 1, "17": 7, "18": 1, "19": 1, "20": 1, "23": 2,
}  # fmt: skip


@dataclass(frozen=True)
class Page:
    row: dict[str, str]
    text: str
    article: ProcessedArticle

    @property
    def claims(self) -> list[str]:
        return [
            self.article.text[s.start : s.end]
            for s in self.article.segments
            if s.kind in CLAIM_KINDS
        ]


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    manifest = shared_path("corpus", "manifest.csv")
    with manifest.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 20, "expected the corpus manifest rows"
    out = []
    for row in rows:
        data = (manifest.parent / row["file"]).read_bytes()
        article = process_bytes(data, source_name=row["file"])
        out.append(Page(row, article.text, article))
    _show(out)
    return out


def _show(pages: list[Page]) -> None:
    """Print what the pipeline made of each page (visible with `pytest -s`)."""
    for page in pages:
        meta = page.article.meta
        print(f"\n=== {page.row['file']}")
        print(f"  title     {meta.title!r}")
        manifest = page.row["published"]
        print(f"  published {meta.published} ({meta.published_raw!r}); manifest {manifest!r}")
        print(f"  byline    {meta.byline!r}; manifest {page.row['byline']!r}")
        print(f"  publisher {meta.publisher_name!r} {meta.publisher_evidence.get('kind', '')}")
        for seg in page.article.segments:
            body = page.article.text[seg.start : seg.end].replace("\n", " ")
            tag = "  --  " if seg.kind not in CLAIM_KINDS else f"  {seg.kind[:4]:4}  "
            speaker = f"  [{seg.speaker}]" if seg.speaker else ""
            print(f"{tag}{body[:110]}{speaker}")


def _date_shown(text: str, when: date) -> bool:
    """Tell whether the page prints this date with its year, in a common English format."""
    month = _MONTHS[when.month - 1]
    day = rf"0?{when.day}(?:st|nd|rd|th)?"
    patterns = (
        when.isoformat(),
        rf"\b{month}[a-z]*\.?\s+{day},?\s+{when.year}\b",
        rf"\b{day}\s+{month}[a-z]*\.?,?\s+{when.year}\b",
    )
    return any(re.search(p, text) for p in patterns)


def _furniture(claim: str) -> str:
    """Name the kind of furniture a claim is, or ""."""
    line = " ".join(claim.split())
    for kind, rx in FURNITURE.items():
        if rx.match(line):
            return kind
    return ""


def test_dates_are_read_where_the_page_prints_them(pages):
    checked, wrong = 0, []
    for page in pages:
        if not page.row["published"]:
            continue
        expected = date.fromisoformat(page.row["published"])
        if not _date_shown(page.text, expected):
            continue
        checked += 1
        got = page.article.meta.published
        if got is None or got.date() != expected:
            wrong.append((page.row["file"], got, page.article.meta.published_raw, expected))
    assert checked >= 5
    assert wrong == []


def test_relative_times_are_kept_raw_without_a_date(pages):
    for page in pages:
        meta = page.article.meta
        if re.search(r"\bago\b", meta.published_raw):
            assert meta.published is None, page.row["file"]


def test_bylines_are_read_where_the_page_prints_them(pages):
    checked, wrong = 0, []
    for page in pages:
        byline = page.row["byline"]
        if not byline or byline.lower() not in page.text.lower():
            continue
        checked += 1
        if page.article.meta.byline.lower() != byline.lower():
            wrong.append((page.row["file"], page.article.meta.byline, byline))
    assert checked >= 3
    assert wrong == []


def test_no_page_furniture_among_the_claims(pages):
    found = [
        (page.row["file"], kind, claim)
        for page in pages
        for claim in page.claims
        if (kind := _furniture(claim))
    ]
    assert found == []


def test_no_claim_repeats_another_claim_of_its_page(pages):
    repeated = []
    for page in pages:
        seen: set[str] = set()
        for claim in page.claims:
            if len(claim) > 20 and claim in seen:
                repeated.append((page.row["file"], claim[:80]))
            seen.add(claim)
    assert repeated == []


def test_titles_are_headlines_not_furniture(pages):
    wrong = []
    for page in pages:
        title = page.article.meta.title
        if not title:
            continue
        outlet_names = {page.row["outlet"].lower(), page.row["outlet_domain"].lower()}
        if (
            _furniture(title)
            or len(title.split()) < 5
            or title.lower() in outlet_names
            or any(title.lower() in name for name in outlet_names)
            or re.match(r"^(?:press release|exhibit\b)", title, re.I)
        ):
            wrong.append((page.row["file"], title))
    assert wrong == []


def _nonblank_line(text: str, number: int) -> str:
    return [line.strip() for line in text.splitlines() if line.strip()][number - 1]


def test_pages_with_a_headline_get_it_as_title(pages):
    wrong = []
    for page in pages:
        number = HEADLINE_LINE.get(page.row["file"][:2])
        if number is None:
            continue
        headline = " ".join(_nonblank_line(page.text, number).split())
        title = page.article.meta.title
        # a rubric before the headline ("Rubric: …") may be left off
        if not title or not headline.endswith(title) or len(title) < 0.6 * len(headline):
            wrong.append((page.row["file"], title, headline))
    assert wrong == []


def test_no_claim_span_holds_an_index_date(pages):
    for page in pages:
        for seg in page.article.segments:
            body = page.article.text[seg.start : seg.end]
            if seg.kind in CLAIM_KINDS:
                assert not re.search(r"(?:^|\s)date \d{4}-\d{2}-\d{2}", body), page.row["file"]


def test_no_publisher_guessed_from_an_agency_in_the_body(pages):
    for page in pages:
        meta = page.article.meta
        if meta.publisher_name:
            assert meta.publisher_evidence.get("kind") in {
                "masthead",
                "source-line",
                "copyright",
                "self-reference",
            }, page.row["file"]
            ev = meta.publisher_evidence
            assert page.article.text[ev["start"] : ev["end"]] == ev["text"]
        # an agency credited in a dateline or sign-off is the text's origin, not its publisher
        if meta.origin_name and meta.publisher_name:
            assert meta.origin_name != meta.publisher_name or meta.publisher_evidence["kind"] in {
                "masthead",
                "source-line",
            }, page.row["file"]


def test_no_publication_date_is_invented_where_the_manifest_knows_none(pages):
    """A page whose manifest row has no date gets none: a site clock is not the story's date."""
    dated = [
        (page.row["file"], page.article.meta.published_raw)
        for page in pages
        if not page.row["published"] and page.article.meta.published is not None
    ]
    assert dated == []


def test_no_claim_is_cut_mid_sentence(pages):
    """No claim starts with a lowercase word: a sentence cut at a line wrap would."""
    cut = [
        (page.row["file"], claim[:80])
        for page in pages
        for claim in page.claims
        if claim[:1].isalpha() and claim[:1].islower()
    ]
    assert cut == []
