"""Checks of a parsed page dump shared by the tests on the real seeds and the invented samples."""

from __future__ import annotations

import re

from sources.ingest.kinds import SegmentKind
from sources.ingest.page import parse_page
from sources.ingest.segment import segment_page
from sources.ingest.types import Segment


def segments(text: str) -> list[Segment]:
    """Parse and segment a canonical text."""
    return segment_page(parse_page(text), text)


def containing(text: str, found_in: list[Segment], snippet: str) -> Segment:
    """Return the one segment whose text contains `snippet`."""
    found = [s for s in found_in if snippet in text[s.start : s.end]]
    assert len(found) == 1, (snippet, [text[s.start : s.end] for s in found])
    return found[0]


def assert_metadata(text: str, expected: dict) -> None:
    """The page's metadata has the `expected` values, and the page is English."""
    meta = parse_page(text).meta
    assert {key: getattr(meta, key) for key in expected} == expected
    assert meta.language == "en"


def assert_chrome_lines(text: str, lines: list[str]) -> None:
    """Each of `lines`, wherever it stands whole, is one chrome segment scored 0."""
    spans = {(s.start, s.end): s for s in segments(text)}
    for line in lines:
        starts = [m.start() for m in re.finditer(re.escape(line), text)]
        assert starts, line
        # a line may occur twice (the duplicated caption): each whole-line copy is chrome
        exact = [spans[(i, i + len(line))] for i in starts if (i, i + len(line)) in spans]
        assert exact, f"no segment is exactly {line!r}"
        assert all(s.kind == SegmentKind.CHROME and s.score == 0 for s in exact), line


def assert_segments_cover_every_word(text: str) -> None:
    """Segments are ordered, trimmed, within one paragraph, and leave out only list markers."""
    covered = bytearray(len(text))
    previous_end = 0
    for seg in segments(text):
        body = text[seg.start : seg.end]
        assert seg.start >= previous_end and body and body == body.strip()
        assert "\n\n" not in body
        covered[seg.start : seg.end] = b"\x01" * (seg.end - seg.start)
        previous_end = seg.end
    lost = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
    # only list markers ("- " at a line start) are left out of every segment
    assert all(text[i] in "-•" and text[i - 1 : i] in {"", "\n"} for i in lost)


def wrapped_sentences(text: str) -> list[str]:
    """The segments that span a line break (a hard-wrapped sentence rejoined)."""
    return [text[s.start : s.end] for s in segments(text) if "\n" in text[s.start : s.end]]
