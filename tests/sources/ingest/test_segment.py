"""Sentence splitting and page segmentation: exact offsets, pysbd's weak spots, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.ingest import segment as segment_module
from sources.ingest.kinds import SegmentKind
from sources.ingest.page import parse_page
from sources.ingest.segment import segment_page, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_offsets_are_exact_and_stripped():
    text = "  First one here.   Second one here!  \n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one here.", "Second one here!"]


def test_range_arguments_limit_the_split():
    text = "Skip this. Alpha beta. Gamma delta. Skip that."
    start, end = text.index("Alpha"), text.index(" Skip that")
    assert [text[s:e] for s, e in split_sentences(text, start, end)] == [
        "Alpha beta.",
        "Gamma delta.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "China Rare Earth Group Co. and GRINM Group Corp. signed a deal on Monday.",
        "Korea Resources Corp. said Thursday it would invest.",
        "The firm sells to the U.S. and U.K. markets, officials said.",
        "Magnets (e.g. NdFeB) and alloys, i.e. Sm-Co, are made here.",
        "Dr. Kim met Mr. Lee and Ms. Park at No. 5 St. James Street.",
        "The quota was set on Jan. 5 and revised in Feb. 2024.",
        "Apple Inc. makes phones and Example Ltd. makes parts.",
    ],
)
def test_abbreviations_do_not_split(sentence):
    text = f"{sentence} Next sentence starts here."
    assert _sentences(text) == [sentence, "Next sentence starts here."]


def test_quote_of_two_sentences_with_attribution_stays_one_segment():
    text = '"Prices will rise. Supply is tight," he said. Markets fell.'
    assert _sentences(text) == ['"Prices will rise. Supply is tight," he said.', "Markets fell."]
    curly = "“Prices will rise. Supply is tight.” Kim said. Markets fell."
    assert _sentences(curly) == ["“Prices will rise. Supply is tight.” Kim said.", "Markets fell."]


def test_blank_line_always_splits_and_single_newline_does_not():
    text = "A sentence without an end\n\nAnother one\nwrapped here. Last one."
    assert _sentences(text) == [
        "A sentence without an end",
        "Another one\nwrapped here.",
        "Last one.",
    ]


def test_never_split_inside_opens_in_a_new_tab():
    text = "Led by Wang (opens in a new tab). Director of the lab (opens in a new tab), he spoke."
    assert _sentences(text) == [
        "Led by Wang (opens in a new tab).",
        "Director of the lab (opens in a new tab), he spoke.",
    ]


def test_clean_fast_path_agrees_with_pysbd(monkeypatch):
    text = (
        "The company expanded in 2024. Output rose 12%. Was it enough? Analysts said yes. "
        "“It is a record,” the chief said. Shares gained."
    )
    fast = split_sentences(text)
    monkeypatch.setattr(segment_module, "_is_clean_boundary", lambda chunk, m: False)
    assert split_sentences(text) == fast
    assert len(fast) == 6


def test_pysbd_sees_only_the_stretch_with_an_ambiguous_boundary(monkeypatch):
    text = (
        "Output rose in 2024. The plant of Example Co. opened last year. Prices fell. "
        "Analysts said so."
    )
    seen = []
    real = segment_module._pysbd_boundaries

    def spy(chunk):
        seen.append(chunk)
        return real(chunk)

    monkeypatch.setattr(segment_module, "_pysbd_boundaries", spy)
    assert _sentences(text) == [
        "Output rose in 2024.",
        "The plant of Example Co. opened last year.",
        "Prices fell.",
        "Analysts said so.",
    ]
    [stretch] = seen
    assert stretch.strip() == "The plant of Example Co. opened last year."


def test_empty_and_whitespace_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t ") == []


def test_segment_page_kinds_per_role():
    text = (
        "Rare earth output hits record\n"
        "By Jane Example\n"
        "Published: March 5, 2024\n"
        "Highlights\n"
        "- Output rose 5 percent. Exports fell.\n"
        "The ministry said output rose. “We are pleased,” Lee said.\n"
        "Disclaimer: This item originates from state-affiliated media.\n"
        "0 Comments\n"
    )
    segments = segment_page(parse_page(text), text)
    got = [(text[s.start : s.end], s.kind) for s in segments]
    assert got == [
        ("Rare earth output hits record", SegmentKind.HEADLINE),
        ("By Jane Example", SegmentKind.CHROME),
        ("Published: March 5, 2024", SegmentKind.CHROME),
        ("Highlights", SegmentKind.CHROME),
        ("Output rose 5 percent.", SegmentKind.STATEMENT),
        ("Exports fell.", SegmentKind.STATEMENT),
        ("The ministry said output rose.", SegmentKind.STATEMENT),
        ("“We are pleased,” Lee said.", SegmentKind.QUOTE),
        ("Disclaimer: This item originates from state-affiliated media.", SegmentKind.DISCLAIMER),
        ("0 Comments", SegmentKind.CHROME),
    ]
    assert all(s.score == 0 for s in segments if s.kind == SegmentKind.CHROME)
    assert all(s.score > 0 for s in segments if s.kind == SegmentKind.STATEMENT)


def test_disclaimer_sentence_inside_body_is_a_disclaimer():
    text = "Headline here\nOutput rose 5 percent. The views expressed are the author's own.\n"
    segments = segment_page(parse_page(text), text)
    assert [s.kind for s in segments][-2:] == [SegmentKind.STATEMENT, SegmentKind.DISCLAIMER]


def _check_invariants(text: str) -> None:
    segments = segment_page(parse_page(text), text)
    previous_end = 0
    for seg in segments:
        assert 0 <= seg.start < seg.end <= len(text)
        body = text[seg.start : seg.end]
        assert body == body.strip() and body
        assert seg.start >= previous_end
        assert seg.kind in set(SegmentKind)
        assert 0 <= seg.score <= 100
        previous_end = seg.end


_HOSTILE = st.lists(
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "\n\n",
            '"',
            "“",
            "”",
            "(",
            ")",
            ". ",
            "? ",
            "- ",
            "• ",
            "By ",
            "Published: ",
            "2024-03-05",
            "Photo: VCG",
            "Link copied",
            "\xa0",
            "\t",
            "U.S.",
            "Co.",
            "e.g.",
            "He said.",
            "Newspaper headline: ",
            "(opens in a new tab)",
            "The price rose 5% in 2024",
            "Kim said",
            "x" * 300,
            "한국",
            "\u200b",
            "…",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=400
    )
)
def test_random_unicode_never_breaks_the_invariants(text):
    _check_invariants(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_HOSTILE)
def test_hostile_page_fragments_never_break_the_invariants(text):
    _check_invariants(text)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet='ab .\n"“”()?!', min_size=1000, max_size=3000))
def test_very_long_lines_never_break_the_invariants(text):
    _check_invariants(text)


DOUBLE_SPACED_WIRE = (
    "Harbour Metals wins a long-term lithium supply deal with a battery maker in Ohio state\n"
    "\n"
    "March 3 (Examplewire) - Harbour Metals on Tuesday\n"
    "\n"
    "said it has signed a 10-year agreement to supply lithium to a\n"
    "\n"
    "battery plant run by a unit of Ohio Cells Inc. in the U.S.\n"
    "\n"
    "state of Ohio, the company said in a statement on Tuesday.\n"
    "\n"
    "The exploration company expects to ship up to 5,000 tonnes\n"
    "\n"
    "of concentrate a year from its Bluewater project in Chile,\n"
    "\n"
    "which is about a fifth of the mine's planned output so far.\n"
    "\n"
    "Shares of the company rose 12% in early trading on Tuesday\n"
    "\n"
    "after the announcement, to their highest level since June.\n"
)


def test_double_spaced_hard_wrapped_wire_copy_keeps_whole_sentences():
    """A blank line after every line is a wrap: no claim is cut at one mid-sentence."""
    from sources.ingest.pipeline import process_text

    processed = process_text(DOUBLE_SPACED_WIRE, source_name="wire.txt")
    text = processed.text
    statements = [
        " ".join(text[s.start : s.end].split()) for s in processed.segments if s.kind == "statement"
    ]
    assert statements == [
        "March 3 (Examplewire) - Harbour Metals on Tuesday said it has signed a 10-year "
        "agreement to supply lithium to a battery plant run by a unit of Ohio Cells Inc. in "
        "the U.S. state of Ohio, the company said in a statement on Tuesday.",
        "The exploration company expects to ship up to 5,000 tonnes of concentrate a year "
        "from its Bluewater project in Chile, which is about a fifth of the mine's planned "
        "output so far.",
        "Shares of the company rose 12% in early trading on Tuesday after the announcement, "
        "to their highest level since June.",
    ]
    for s in processed.segments:
        assert text[s.start : s.end] == text[s.start : s.end].strip()
