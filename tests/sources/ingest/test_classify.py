"""Quote detection and speaker attribution on handmade sentences."""

from __future__ import annotations

import pytest

from sources.ingest.classify import classify_sentence, classify_sentences, find_speaker
from sources.ingest.kinds import SegmentKind


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ('"Supply is tight," Wu noted.', "Wu"),
        ("“Supply is tight,” Kim said.", "Kim"),
        ('"Supply is tight," said Kim Shin-jong.', "Kim Shin-jong"),
        ('"Supply is tight," the insider told the Global Times.', "the insider"),
        ('"We will act," Gong was quoted as saying in the post.', "Gong"),
        ("Kim said: “We will invest more in processing plants next year.”", "Kim"),
        (
            "Wu Chenhui, an independent analyst, told the Global Times that supply is tight.",
            "Wu Chenhui",
        ),
        ("The Chairman of Example Group, Ao Hong, said he hoped to expand.", "Ao Hong"),
        ("Prices will rise next year, experts said.", "experts"),
        ("Output rose, according to Liu Enqiao, a senior analyst.", "Liu Enqiao"),
        (
            "The plant will open, the center's director Huang Xiaowei was quoted as saying.",
            "Huang Xiaowei",
        ),
        ("Liu vowed increased efforts to crack down on mining.", "Liu"),
        ("Liu described the institute as strategic and said ties are deep.", "Liu"),
        ("Exports fell 5 percent in March.", ""),
    ],
)
def test_find_speaker(sentence, speaker):
    assert find_speaker(sentence) == speaker


def test_quoted_speech_with_speaker_is_a_quote():
    assert classify_sentence('"Supply is tight and prices will rise," Wu noted.') == (
        SegmentKind.QUOTE,
        "Wu",
    )


def test_reported_speech_is_a_statement_with_speaker():
    sentence = 'Ao Hong said he hoped to "solve a batch of common problems," the paper reported.'
    assert classify_sentence(sentence) == (SegmentKind.STATEMENT, "Ao Hong")


def test_scare_quotes_do_not_make_a_quote():
    sentence = "He called it a “golden window” for cooperation between the two sides."
    assert classify_sentence(sentence)[0] == SegmentKind.STATEMENT


def test_unattributed_quote_is_a_statement():
    assert classify_sentence("“Supply is tight.”") == (SegmentKind.STATEMENT, "")


def test_standalone_quote_carries_the_previous_speaker_one_sentence():
    results = classify_sentences(
        [
            "“Korea has been importing rare earths,” Kim said.",
            "“The joint research is an opportunity.”",
            "“A second standalone quote.”",
            "Exports fell.",
        ]
    )
    assert results[0] == (SegmentKind.QUOTE, "Kim")
    assert results[1] == (SegmentKind.QUOTE, "Kim")
    assert results[2] == (SegmentKind.QUOTE, "Kim")  # carried from the sentence before
    assert results[3] == (SegmentKind.STATEMENT, "")


def test_pronoun_resolves_to_last_named_person():
    results = classify_sentences(
        ["Wang congratulated the group on its progress.", "He said the parties are strong."]
    )
    assert results[1] == (SegmentKind.STATEMENT, "Wang")


def test_surname_expands_to_recent_full_name():
    results = classify_sentences(
        [
            "Wu Chenhui, an analyst, told the Global Times that supply is tight.",
            '"Supply is tight," Wu noted.',
        ]
    )
    assert results[1] == (SegmentKind.QUOTE, "Wu Chenhui")
