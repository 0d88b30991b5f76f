"""End to end on the sample pages: parse → segment gives the metadata and claims we expect."""

from __future__ import annotations

from datetime import datetime

import pytest

from sources.ingest.kinds import SegmentKind
from tests.sources.ingest.pages import (
    assert_chrome_lines,
    assert_metadata,
    assert_segments_cover_every_word,
    wrapped_sentences,
)
from tests.sources.ingest.pages import containing as _containing
from tests.sources.ingest.pages import segments as _segments

EXPECTED_META = {
    "000": dict(
        title="China's state-owned industrial giants set up joint rare-earth innovation hub",
        published=datetime(2022, 7, 20, 23, 43),
        published_raw="Jul 20, 2022 11:43 PM",
        byline="",
        publisher_name="Global Times",
    ),
    "001": dict(
        # No headline and no "Newspaper headline:" trailer: the first summary bullet stands in.
        title=(
            "China Rare Earth Group and CAS Ningbo Institute of Materials Technology and "
            "Engineering are expanding collaboration on platform-building, commercialization, "
            "and talent exchange to accelerate rare earth technology innovation."
        ),
        published=None,
        published_raw="",
        byline="",
        publisher_name="Rare Earth Exchanges",
    ),
    "002": dict(
        title="Nation plans world-class rare-earth cluster in Xiongan New Area",
        published=None,
        published_raw="",
        byline="",
        publisher_name="Global Times",
    ),
    "003": dict(
        title="China’s Jiangxi Province to boost rare earths development and protection",
        published=datetime(2019, 7, 9, 19, 48, 40),
        published_raw="2019/7/9 19:48:40",
        byline="Wang Cong and Yang Kunyi",
        publisher_name="Global Times",
    ),
    "004": dict(
        title="Korea, China to collaborate on rare earths processing",
        published=datetime(2011, 4, 21, 18, 53),
        published_raw="April 21, 2011 - 18:53",
        byline="고영아",
        publisher_name="The Korea Herald",
    ),
}

CHROME_LINES = {
    "000": ["Published: Jul 20, 2022 11:43 PM", "Photo:VCG", "rare earth Photo:VCG"],
    "001": [
        "Highlights",
        "0 Comments",
        "No replies yet",
        "Loading new replies...",
        "Moderator",
        "Join the full discussion at the Rare Earth Exchanges Forum →",
    ],
    "002": ["File photo: VCG", "Newspaper headline:"],
    "003": [
        "By Wang Cong and Yang Kunyi",
        "Source:Global Times",
        "Published: 2019/7/9 19:48:40",
        "Newspaper headline:",
        "blog comments powered by Disqus",
    ],
    "004": [
        "The Korea Herald",
        "By 고영아",
        "Published : April 21, 2011 - 18:53",
        "• Link copied",
        "By Koh Young-aah (",
    ],
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_META))
def test_seed_metadata_is_read_off_the_page(seeds, prefix):
    assert_metadata(seeds[prefix], EXPECTED_META[prefix])


@pytest.mark.parametrize("prefix", sorted(CHROME_LINES))
def test_seed_chrome_lines_are_chrome_segments(seeds, prefix):
    assert_chrome_lines(seeds[prefix], CHROME_LINES[prefix])


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_segments_cover_every_word_without_crossing_paragraphs(seeds, prefix):
    assert_segments_cover_every_word(seeds[prefix])


def test_only_the_wrapped_sentence_of_seed_002_spans_a_newline(seeds):
    for prefix, text in seeds.items():
        multi = wrapped_sentences(text)
        if prefix == "002":
            assert len(multi) == 1
            assert multi[0].startswith("China announced on Wednesday")
            assert "in the\nXiongan New Area" in multi[0]
            assert multi[0].endswith("amid a lingering trade war.")
        else:
            assert multi == [], prefix


def test_seed_001_disclaimer_sentences_are_disclaimers(seeds):
    text = seeds["001"]
    segments = _segments(text)
    first = _containing(text, segments, "This item originates from state-affiliated")
    second = _containing(text, segments, "should be verified with independent sources")
    assert first != second
    assert first.kind == second.kind == SegmentKind.DISCLAIMER
    assert text[first.start : first.end].startswith("Disclaimer:")


def test_seed_quotes_carry_their_speakers(seeds):
    text = seeds["000"]
    wu = _containing(text, _segments(text), "Wu noted")
    assert wu.kind == SegmentKind.QUOTE
    assert wu.speaker.startswith("Wu")

    text = seeds["004"]
    segments = _segments(text)
    kim = _containing(text, segments, "Kim said")
    follow = _containing(text, segments, "The joint research with China")
    assert kim.kind == follow.kind == SegmentKind.QUOTE
    assert kim.speaker == follow.speaker == "Kim"


def test_seed_reported_speech_is_a_statement_with_speaker(seeds):
    text = seeds["000"]
    hoped = _containing(text, _segments(text), "said he hoped")
    assert hoped.kind == SegmentKind.STATEMENT
    assert hoped.speaker == "Ao Hong"


def test_seed_abbreviations_do_not_split(seeds):
    text = seeds["000"]
    seg = _containing(text, _segments(text), "China Rare Earth Group Co and GRINM Group Corp")
    assert text[seg.start : seg.end].endswith("rare-earth industry.")

    text = seeds["001"]
    segments = _segments(text)
    subheading = _containing(text, segments, "What could matter for the U.S./West?")
    assert text[subheading.start : subheading.end] == "What could matter for the U.S./West?"
    assert subheading.kind == SegmentKind.SUBHEADING
    eg = _containing(text, segments, "(e.g., magnet alloys")
    assert text[eg.start : eg.end].startswith("If this cooperation results")
    tab = _containing(text, segments, "Wang Liping (opens in a new tab), Director")
    body = text[tab.start : tab.end]
    assert body.startswith("On February 5") and body.endswith("(opens in a new tab).")

    text = seeds["004"]
    corp = _containing(text, _segments(text), "Korea Resources Corp. said Thursday")
    assert text[corp.start : corp.end].endswith("with a Chinese think tank.")


def test_seed_bullet_markers_are_outside_the_spans(seeds):
    text = seeds["001"]
    segments = _segments(text)
    bullets = [s for s in segments if text[s.start - 2 : s.start] == "- "]
    assert len(bullets) == 3
    assert all(s.kind == SegmentKind.STATEMENT for s in bullets)
    assert text[bullets[0].start :].startswith("China Rare Earth Group and CAS Ningbo")


def test_seed_captions_and_credits(seeds):
    text = seeds["002"]
    segments = _segments(text)
    caption = _containing(text, segments, "Mining of rare earths is conducted in Baiyunebo")
    assert caption.kind == SegmentKind.CAPTION
    assert text[caption.start : caption.end].endswith("on July 16, 2011.")

    text = seeds["000"]
    first = text.index("rare earth Photo:VCG")
    by_start = {s.start: s for s in _segments(text)}
    assert by_start[first].kind == SegmentKind.CAPTION
    assert text[by_start[first].start : by_start[first].end] == "rare earth"

    text = seeds["001"]
    segments = _segments(text)
    for snippet in ("Wang Liping, Director of", "Chinese Academy of Sciences (CAS) Ningbo"):
        line = next(s for s in segments if text[s.start : s.end].startswith(snippet))
        assert line.kind in {SegmentKind.CAPTION, SegmentKind.SUBHEADING}


def test_seed_headlines_and_subheadings(seeds):
    text = seeds["003"]
    segments = _segments(text)
    kinds = {text[s.start : s.end]: s.kind for s in segments}
    assert kinds["Jiangxi to boost rare earths"] == SegmentKind.HEADLINE
    assert kinds["More R&D needed to build up strategic power"] == SegmentKind.SUBHEADING
    assert segments[0].kind == SegmentKind.HEADLINE

    text = seeds["001"]
    kinds = {text[s.start : s.end]: s.kind for s in _segments(text)}
    assert kinds["Why this is a business-news item (key updates)"] == SegmentKind.SUBHEADING
