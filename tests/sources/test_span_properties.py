"""Property tests: whatever bytes come in, every stored claim's span round-trips.

Documents are generated page-like (headlines, date lines, bylines, paragraphs, chrome) from
hostile pieces: mojibake of three kinds, odd spaces, curly quotes, CJK and Korean, RTL marks,
CRLF, control characters, very long lines. The pipeline may refuse a document (IngestError),
never crash, and what it keeps satisfies `article.text[start:end] == claim.text`.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import Claim
from imports.in_process import articles_import
from sources.ingest.pipeline import process_bytes
from sources.ingest.types import IngestError

PIECES = [
    "The plant produced 8,500 t in 2024.",
    "Exports fell 12% to $250 million, officials said.",
    '"We will expand," Kim said.',
    "“It is a record,” the chief executive told the Global Times.",
    "Example Co. and U.S. officials met on Feb. 5.",
    "groupโs",
    "LeiyunโParty",
    "โstrategic periodโ",
    "Exchanges โขcontinues",
    "the groupâ€™s output",
    "Â ",
    "¬†",
    "\u00a0",
    "\u200b",
    "\u202e",
    "희토류 가공 기술",
    "中国稀土集团",
    "Link copied",
    "0 Comments",
    "Photo: VCG",
    "?",
    "!!",
    "…",
    "\t",
    "\x07",
    "x" * 300,
]
LINES = [
    "Published: Jul 20, 2022 11:43 PM",
    "Published : April 21, 2011 - 18:53",
    "By Wang Cong Source:Global Times Published: 2019/7/9 19:48:40",
    "By 고영아",
    "Newspaper headline: Something happened",
    "Disclaimer: This item originates from state-affiliated media.",
    "- a bullet point with 3 numbers 4 5",
    "Highlights",
    "blog comments powered by Disqus",
    "",
]

line = st.one_of(
    st.sampled_from(LINES),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=40), min_size=1, max_size=8).map(" ".join),
)
document = st.lists(line, min_size=1, max_size=25).map(lambda lines: "\n".join(lines)) | st.lists(
    line, min_size=1, max_size=10
).map(lambda lines: "\r\n".join(lines))
encoding = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


def _assert_spans_valid(text: str, segments) -> None:
    previous_end = 0
    for seg in segments:
        assert 0 <= seg.start < seg.end <= len(text)
        assert seg.start >= previous_end
        span = text[seg.start : seg.end]
        assert span == span.strip()
        previous_end = seg.end


# Thousands of documents by default; FUZZ_EXAMPLES raises it for a longer fuzzing run.
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")), deadline=None)
@given(doc=document, enc=encoding)
def test_pipeline_never_crashes_and_spans_are_exact(doc, enc):
    data = doc.encode(enc, errors="replace")
    try:
        processed = process_bytes(data, source_name="gen.txt")
    except IngestError as exc:
        assert exc.reason.startswith("gen.txt: ")
        return
    _assert_spans_valid(processed.text, processed.segments)
    rebuilt, pos = [], 0
    for r in processed.repairs:
        rebuilt.append(processed.received[pos : r.start])
        rebuilt.append(r.replacement)
        pos = r.end
    rebuilt.append(processed.received[pos:])
    assert "".join(rebuilt) == processed.text


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=document)
def test_stored_claims_round_trip(doc):
    _, [result] = articles_import([("gen.txt", doc.encode("utf-8"))], by=None)
    if result.article is None:
        assert result.reason
        return
    for claim in Claim.objects.filter(article=result.article).select_related("article"):
        assert claim.article.text[claim.start : claim.end] == claim.text
