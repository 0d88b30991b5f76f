"""End to end on the invented samples (tests/samples): parse → segment, without ../shared.

The same checks as test_seeds.py makes on the real pages, with each sample's own values.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from sources.ingest.kinds import SegmentKind
from tests.sources.ingest.pages import (
    assert_chrome_lines,
    assert_metadata,
    assert_segments_cover_every_word,
    containing,
    wrapped_sentences,
)
from tests.sources.ingest.pages import segments as segments_of

EXPECTED_META = {
    "01": dict(
        title="Valdoria's state-owned refiners open joint cobalt research centre",
        published=datetime(2024, 3, 14, 8, 5),
        published_raw="Mar 14, 2024 8:05 AM",
        byline="",
        publisher_name="Harbourline Daily",
    ),
    "02": dict(
        # No headline: the first summary bullet stands in.
        title=(
            "Ostmark Cobalt Corp and the Kessa Institute of Battery Chemistry will share "
            "laboratories and staff to speed up cathode research."
        ),
        published=None,
        published_raw="",
        byline="",
        publisher_name="Cobalt Watch",
    ),
    "03": dict(
        title="Kessa’s port authority to double container capacity by 2030",
        published=datetime(2021, 9, 14, 10, 20, 35),
        published_raw="2021/9/14 10:20:35",
        byline="Maren Holt and Jonas Ekberg",
        publisher_name="Fjordland Courier",
    ),
    "04": dict(
        title="Valdoria and Orvik to build cross-border freight railway",
        published=datetime(2016, 5, 2, 7, 40),
        published_raw="May 2, 2016 - 07:40",
        byline="Ελένη Μάρκου",
        publisher_name="The Lagoon Tribune",
    ),
    "05": dict(
        title="Orvik to build floating wind testing field",
        published=None,
        published_raw="",
        byline="",
        publisher_name="Meridian Post",
    ),
    "06": dict(
        title="Selby ferry service to resume after two-year pause",
        published=datetime(2025, 6, 18, 14, 30),
        published_raw="2025-06-18 14:30",
        byline="Mira Castell",
        publisher_name="Selby Gazette",
    ),
}

CHROME_LINES = {
    "01": ["Published: Mar 14, 2024 8:05 AM", "Photo:IRN", "cobalt Photo:IRN"],
    "02": [
        "Highlights",
        "0 Comments",
        "No replies yet",
        "Loading new replies...",
        "Moderator",
        "Join the full discussion at the Cobalt Watch Forum →",
    ],
    "03": [
        "By Maren Holt and Jonas Ekberg",
        "Source:Fjordland Courier",
        "Published: 2021/9/14 10:20:35",
        "Newspaper headline:",
        "blog comments powered by Disqus",
    ],
    "04": [
        "The Lagoon Tribune",
        "By Ελένη Μάρκου",
        "Published : May 2, 2016 - 07:40",
        "• Link copied",
        "By Niko Saari (",
    ],
    "05": ["File photo: MPA", "Newspaper headline:"],
    "06": [
        "Published: 2025-06-18 14:30",
        "By Mira Castell",
        "© 2025 Selby Gazette. All rights reserved.",
    ],
}


def test_every_sample_is_checked(samples):
    assert sorted(samples) == sorted(EXPECTED_META) == sorted(CHROME_LINES)


@pytest.mark.parametrize("prefix", sorted(EXPECTED_META))
def test_sample_metadata_is_read_off_the_page(samples, prefix):
    assert_metadata(samples[prefix], EXPECTED_META[prefix])


@pytest.mark.parametrize("prefix", sorted(CHROME_LINES))
def test_sample_chrome_lines_are_chromesegments(samples, prefix):
    assert_chrome_lines(samples[prefix], CHROME_LINES[prefix])


@pytest.mark.parametrize("prefix", sorted(EXPECTED_META))
def test_sample_segments_cover_every_word_without_crossing_paragraphs(samples, prefix):
    assert_segments_cover_every_word(samples[prefix])


def test_only_the_wrapped_sentence_of_sample_05_spans_a_newline(samples):
    for prefix, text in samples.items():
        multi = wrapped_sentences(text)
        if prefix == "05":
            assert len(multi) == 1
            assert multi[0].startswith("Orvik announced on Thursday")
            assert "off its northern\ncoast" in multi[0]
        else:
            assert multi == [], prefix


def test_sample_02_disclaimer_sentences_are_disclaimers(samples):
    text = samples["02"]
    segments = segments_of(text)
    first = containing(text, segments, "This item originates from a Valdorian")
    second = containing(text, segments, "should be checked against company filings")
    assert first != second
    assert first.kind == second.kind == SegmentKind.DISCLAIMER
    assert text[first.start : first.end].startswith("Disclaimer:")


def test_sample_quotes_carry_their_speakers(samples):
    text = samples["01"]
    vass = containing(text, segments_of(text), "Vass noted")
    assert (vass.kind, vass.speaker) == (SegmentKind.QUOTE, "Teodor Vass")

    text = samples["04"]
    segments = segments_of(text)
    aaro = containing(text, segments, "Aaro said")
    follow = containing(text, segments, "This line will carry the first trains")
    assert aaro.kind == follow.kind == SegmentKind.QUOTE
    assert aaro.speaker == follow.speaker == "Aaro"


def test_sample_reported_speech_is_a_statement_with_speaker(samples):
    text = samples["01"]
    hoped = containing(text, segments_of(text), "said she hoped")
    assert (hoped.kind, hoped.speaker) == (SegmentKind.STATEMENT, "Ilse Marren")


def test_sample_abbreviations_do_not_split(samples):
    text = samples["02"]
    segments = segments_of(text)
    subheading = containing(text, segments, "What could change for buyers in the E.U./Asia?")
    assert (
        text[subheading.start : subheading.end] == "What could change for buyers in the E.U./Asia?"
    )
    assert subheading.kind == SegmentKind.SUBHEADING
    eg = containing(text, segments, "(e.g., nickel-rich blends)")
    assert text[eg.start : eg.end].startswith("If the partnership delivers")

    text = samples["04"]
    corp = containing(text, segments_of(text), "Valdoria Rail Co. said Wednesday")
    assert text[corp.start : corp.end].endswith("with a partner from across the border.")


def test_sample_bullet_markers_are_outside_the_spans(samples):
    text = samples["02"]
    bullets = [s for s in segments_of(text) if text[s.start - 2 : s.start] == "- "]
    assert len(bullets) == 3
    assert all(s.kind == SegmentKind.STATEMENT for s in bullets)
    assert text[bullets[0].start :].startswith("Ostmark Cobalt Corp and the Kessa Institute")


def test_sample_captions_and_credits(samples):
    text = samples["05"]
    caption = containing(text, segments_of(text), "Wind turbines stand off the coast of Orvik")
    assert caption.kind == SegmentKind.CAPTION
    assert text[caption.start : caption.end].endswith("on June 3, 2018.")

    text = samples["01"]
    first = text.index("cobalt Photo:IRN")
    by_start = {s.start: s for s in segments_of(text)}
    assert by_start[first].kind == SegmentKind.CAPTION
    assert text[by_start[first].start : by_start[first].end] == "cobalt"


def test_sample_headlines_and_subheadings(samples):
    text = samples["03"]
    segments = segments_of(text)
    kinds = {text[s.start : s.end]: s.kind for s in segments}
    assert kinds["Kessa port to double capacity"] == SegmentKind.HEADLINE
    assert kinds["New cranes and a deeper channel planned"] == SegmentKind.SUBHEADING
    assert segments[0].kind == SegmentKind.HEADLINE

    text = samples["02"]
    kinds = {text[s.start : s.end]: s.kind for s in segments_of(text)}
    assert kinds["Why this matters (key updates)"] == SegmentKind.SUBHEADING
