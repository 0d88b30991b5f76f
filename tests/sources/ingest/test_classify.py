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


# Speakers are people or organisations: never a time phrase, a pronoun left unresolved or
# a clause (invented sentences).
@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("In a statement, the company said output would double.", "the company"),
        ("In August, the trade ministry said it would restrict exports.", "the trade ministry"),
        (
            "Earlier, the head of the port authority said cargo rose.",
            "the head of the port authority",
        ),
        ("Earlier this week, city officials denied reports that the port would close.", ""),
        ("This week, Harbour Metals said it would hire 200 people.", "Harbour Metals"),
        ("On Monday, Jane Roe said the plant would open in May.", "Jane Roe"),
        ("Portville: Harbour Metals announced a new plant on Tuesday.", "Harbour Metals"),
        ("The rules announced by the ministry require a licence for every shipment.", ""),
        ("Exports need a licence, according to the law.", ""),
        (
            "Mr Roe later told reporters he was disappointed with the vote, but added: “We go on.”",
            "Mr Roe",
        ),
        (
            'Prices must fall "to stay competitive" to win buyers abroad, the ministry added.',
            "the ministry",
        ),
        ("US President Jane Roe said the talks went well.", "Jane Roe"),
        ("Harbour Metals CEO Tom Lee said the deal is done.", "Tom Lee"),
        ("Chief Executive Tom Lee said the deal is done.", "Tom Lee"),
        ("Dr. Ann Kim, an analyst, said prices would rise.", "Dr. Ann Kim"),
        (
            "Ports have begun talks on a merger, Tom Lee, head of the port fund, told the Ledger.",
            "Tom Lee",
        ),
    ],
)
def test_speaker_is_a_person_or_organisation(sentence, speaker):
    assert find_speaker(sentence) == speaker


@pytest.mark.parametrize("sentence", ["“We are ready,” she said.", "It said exports rose 5%."])
def test_pronoun_alone_names_no_speaker(sentence):
    assert classify_sentence(sentence) == (SegmentKind.STATEMENT, "")


def test_pronouns_resolve_to_the_person_or_organisation_before_them():
    results = classify_sentences(
        [
            "Harbour Metals chief executive Ann Kim said the plant would open in May.",
            "“We thank the council for its support,” she said.",
            "According to her, orders are strong.",
            "The port authority said cargo volumes rose 8% last year.",
            "Volumes will keep rising, it said.",
            "Analysts at Harbour Research said the price floor helps.",
            "“The floor sends a strong signal,” they said.",
        ]
    )
    assert results[1] == (SegmentKind.QUOTE, "Ann Kim")
    assert results[2] == (SegmentKind.STATEMENT, "Ann Kim")
    assert results[4] == (SegmentKind.STATEMENT, "The port authority")
    assert results[6] == (SegmentKind.QUOTE, "Harbour Research")


def test_parenthetical_pronoun_is_the_speaker_not_the_first_name():
    results = classify_sentences(
        [
            "In February, Jane Roe said she backed the port deal.",
            "Portville, she said, is interested in both ferries and freight.",
        ]
    )
    assert results[1] == (SegmentKind.STATEMENT, "Jane Roe")


def test_unresolved_pronoun_quote_is_a_statement_without_speaker():
    assert classify_sentences(["“We are ready,” he said."]) == [(SegmentKind.STATEMENT, "")]


def test_short_subject_after_a_long_clause_is_the_speaker():
    assert find_speaker("Prices rose for a fifth straight week, traders said.") == "traders"
    results = classify_sentences(
        [
            "Wages rise by 8% under the deal, union leader Ann Kim told reporters.",
            "“Done,” she said.",
        ]
    )
    assert results == [(SegmentKind.STATEMENT, "Ann Kim"), (SegmentKind.STATEMENT, "Ann Kim")]
