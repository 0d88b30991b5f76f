"""Republication statements: which outlet a page says its content comes from."""

import pytest

from sources.ingest.page import parse_page
from sources.ingest.provenance import republished_from, state_media_origin
from tests.conftest import seed_path


@pytest.mark.parametrize(
    ("text", "publisher", "origin"),
    [
        (
            "Disclaimer: This item originates from state-affiliated Chinese media/entities. "
            "The claims should be verified.",
            "Rare Earth Exchanges",
            "Chinese state-affiliated media (unspecified)",
        ),
        ("This article was originally published by Mining Weekly.", "", "Mining Weekly"),
        ("This story first appeared in The Guardian.", "", "The Guardian"),
        ("Republished from Xinhua with permission.", "", "Xinhua"),
        ("Title\nSource: Xinhua\n\nBody text here.", "The Korea Herald", "Xinhua"),
        ("Title\n\nBEIJING, March 5 (Xinhua) -- China said so.", "The Korea Herald", "Xinhua"),
        (
            "This content originated from Russian state-owned media.",
            "",
            "Russian state-owned media (unspecified)",
        ),
    ],
)
def test_republication_statements_name_their_origin(text, publisher, origin):
    assert republished_from(text, publisher=publisher) == origin


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        ("By Wang Cong Source:Global Times Published: 2019/7/9 19:48:40", "Global Times"),
        ("SEOUL, March 5 (Yonhap) -- Exports rose.", "Yonhap"),
        ("The idea comes from a statement by the ministry.", ""),
        ("Officials said output rose 5 percent.", ""),
    ],
)
def test_no_origin_when_the_page_names_itself_or_nothing(text, publisher):
    assert republished_from(text, publisher=publisher) == ""


def test_state_media_phrase_without_an_outlet():
    assert state_media_origin("state-affiliated Chinese media/entities") == (
        "Chinese state-affiliated media (unspecified)"
    )
    assert state_media_origin("a press release") == ""


def test_seed_001_disclaimer_names_chinese_state_media():
    from sources.ingest.pipeline import process_bytes

    processed = process_bytes(seed_path("001").read_bytes(), source_name="001.txt")
    assert processed.meta.publisher_name == "Rare Earth Exchanges"
    assert processed.meta.republished_from == "Chinese state-affiliated media (unspecified)"


def test_global_times_pages_republish_nothing():
    for prefix in ("000", "002", "003"):
        text = seed_path(prefix).read_text(encoding="utf-8")
        assert parse_page(text).meta.republished_from == "", prefix
