"""Pages from other outlets than the samples: wire copy and press releases (invented text)."""

from datetime import datetime

from sources.ingest.kinds import SegmentKind
from sources.ingest.pipeline import process_text

WIRE = """Miner to expand plant as prices climb

By Jane Doe

KUALA LUMPUR, March 5 (Reuters) - Example Metals Ltd said on Tuesday it would spend
A$500 million to expand its processing plant, betting that demand will keep prices
high through 2027.

China produced about 70% of the world's mined rare earths in 2023,
according to the U.S. Geological Survey.

(Reporting by Jane Doe; Editing by Tom Lee)
"""

RELEASE = """FOR IMMEDIATE RELEASE

Example Magnetics Announces Record Revenue

DENVER, Colo., Oct. 12, 2024 /PRNewswire/ -- Example Magnetics Inc. (NASDAQ: EXMG) today \
announced revenue of $48.2 million for the third quarter, up 31% from a year earlier.

"This was the best quarter in our history," said Dr. Maria Gonzalez, CEO of Example Magnetics.

Media contact:
John Smith
press@example.invalid

###
"""


def _spans(processed):
    return [(processed.text[s.start : s.end], s) for s in processed.segments]


def test_wire_dateline_names_the_agency_not_a_speaker():
    processed = process_text(WIRE, source_name="wire.txt")
    # The agency in the dateline is whose text it is (origin), not who published the page.
    assert processed.meta.publisher_name == ""
    assert processed.meta.origin_name == "Reuters"
    first = next(s for text, s in _spans(processed) if text.startswith("KUALA LUMPUR"))
    assert first.kind == SegmentKind.STATEMENT
    assert first.speaker.startswith("Example Metals")
    assert "\n" in processed.text[first.start : first.end]  # hard-wrapped, one sentence


def test_according_to_keeps_initials_in_the_source():
    processed = process_text(WIRE, source_name="wire.txt")
    usgs = next(s for text, s in _spans(processed) if text.startswith("China produced"))
    assert usgs.speaker == "the U.S. Geological Survey"


def test_wire_credit_line_is_chrome():
    processed = process_text(WIRE, source_name="wire.txt")
    credit = next(s for text, s in _spans(processed) if text.startswith("(Reporting by"))
    assert credit.kind == SegmentKind.CHROME


def test_press_release_dateline_gives_date_and_newswire():
    processed = process_text(RELEASE, source_name="release.txt")
    assert processed.meta.published == datetime(2024, 10, 12)
    assert processed.meta.published_raw == "Oct. 12, 2024"
    assert processed.meta.publisher_name == ""  # the newswire distributes; it is no masthead
    assert processed.meta.title == "Example Magnetics Announces Record Revenue"
    kinds = {text: s.kind for text, s in _spans(processed)}
    assert kinds["FOR IMMEDIATE RELEASE"] == SegmentKind.CHROME
    assert kinds["###"] == SegmentKind.CHROME
    assert kinds["press@example.invalid"] == SegmentKind.CHROME


def test_press_release_speaker_drops_the_ticker():
    processed = process_text(RELEASE, source_name="release.txt")
    first = next(s for text, s in _spans(processed) if text.startswith("DENVER"))
    assert first.speaker == "Example Magnetics Inc."
    quote = next(s for text, s in _spans(processed) if text.startswith('"This was'))
    assert quote.kind == SegmentKind.QUOTE
    assert quote.speaker == "Dr. Maria Gonzalez"
