"""A text dump's own web address: found at its edges, made the URL, kept as chrome."""

from __future__ import annotations

import pytest

from sources.ingest.address import is_page_url, page_address
from sources.ingest.kinds import SegmentKind
from sources.ingest.pipeline import process_text

BODY = (
    "Harbour cranes arrive in Port Elwyn\n\n"
    "Four new cranes reached the port on Monday, the harbour board said. "
    "They will double the number of containers the port can move each day.\n\n"
    "The cranes cost 40 million dollars and were built in Rotterdam, officials said.\n"
)
URL = "https://news.elwyn-ledger.example/2024/06/cranes-arrive"


@pytest.mark.parametrize(
    "line",
    [
        f"URL: {URL}",
        f"Source: {URL}",
        f"Originally published at {URL}.",
        f"This article was originally published on The Elwyn Ledger: <{URL}>",
        URL,
        f"<{URL}>",
    ],
)
def test_address_line_at_the_bottom_is_found_with_its_span(line):
    text = BODY + "\n" + line + "\n"
    found = page_address(text)
    assert found is not None
    assert found.url == URL
    assert text[found.start : found.end] == URL
    assert text[found.line_start : found.line_end] == line


def test_address_line_at_the_top_is_found():
    text = f"Page address: {URL}\n\n" + BODY
    assert page_address(text).url == URL


def test_a_link_in_the_middle_of_the_story_is_not_the_page_address():
    paragraphs = [f"Paragraph {i} of the story about the port, the board said." for i in range(20)]
    paragraphs[10] = URL
    assert page_address("\n\n".join(paragraphs)) is None


@pytest.mark.parametrize(
    "line",
    [
        "https://www.elwyn-harbour.example",  # a home page: the company's site, not the page
        "Source: https://www.elwyn-harbour.example/",
        "Source: Elwyn Harbour Board",  # no address at all
        "URL: ftp://files.example/cranes.txt",  # not a web page
        "URL: https://localhost/cranes",  # no real host
        "See https://news.elwyn-ledger.example/more for more.",  # a sentence, not a line
    ],
)
def test_lines_that_do_not_give_the_page_address(line):
    assert page_address(BODY + "\n" + line + "\n") is None


def test_several_bare_links_at_the_bottom_are_a_link_list_not_an_address():
    links = "\n".join(f"https://news.elwyn-ledger.example/2024/06/story-{i}" for i in range(3))
    assert page_address(BODY + "\nRelated\n" + links + "\n") is None


def test_a_labelled_line_wins_over_a_bare_address():
    other = "https://mirror.example/copy/cranes"
    text = f"{other}\n\n" + BODY + f"\nURL: {URL}\n"
    assert page_address(text).url == URL


def test_is_page_url():
    assert is_page_url(URL)
    assert is_page_url("http://example.org/a?b=1")
    for value in ("", "example.org/a", "mailto:desk@example.org", "https:///path", "http://a b/"):
        assert not is_page_url(value)


def test_pipeline_gives_the_dump_its_address_as_url_and_the_line_as_chrome():
    text = BODY + f"\nSource: {URL}\n"
    processed = process_text(text, source_name="cranes.txt")
    assert processed.meta.url == URL
    line_start = text.index("Source:")
    chrome = [s for s in processed.segments if s.start == line_start]
    assert len(chrome) == 1 and chrome[0].kind == SegmentKind.CHROME
    assert text[chrome[0].start : chrome[0].end] == f"Source: {URL}"
    # The address says where the page is; it is no claim, and "Source:" names no publisher.
    assert not any(
        s.kind != SegmentKind.CHROME and "elwyn-ledger" in text[s.start : s.end]
        for s in processed.segments
    )
    assert "http" not in processed.meta.publisher_name


def test_an_address_line_on_top_is_not_the_headline():
    text = f"{URL}\n\n" + BODY
    processed = process_text(text, source_name="cranes.txt")
    assert processed.meta.url == URL
    assert processed.meta.title == "Harbour cranes arrive in Port Elwyn"
    first = processed.segments[0]
    assert (first.start, first.kind) == (0, SegmentKind.CHROME)
    assert processed.segments[1].kind == SegmentKind.HEADLINE


def test_a_dump_without_an_address_keeps_an_empty_url():
    assert process_text(BODY, source_name="cranes.txt").meta.url == ""
