"""Check-worthiness scores: documented features move the score the documented way."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sources.ingest.kinds import SegmentKind
from sources.ingest.score import WEIGHTS, checkworthiness, explain

SPECIFIC = "China Rare Earth Group said output rose 12 percent to 1,500 tons in 2024."
VAGUE = "Things may change."


def test_chrome_scores_zero_and_explains_nothing():
    assert checkworthiness(SPECIFIC, SegmentKind.CHROME, "") == 0
    assert explain(SPECIFIC, SegmentKind.CHROME, "") == {}


def test_specific_sentence_outranks_vague_one():
    assert checkworthiness(SPECIFIC, "statement", "") > checkworthiness(VAGUE, "statement", "")


def test_explain_names_the_features_and_sums_to_the_score():
    fired = explain(SPECIFIC, SegmentKind.STATEMENT, "China Rare Earth Group")
    for feature in ("base", "number", "percent", "quantity", "year", "organisation", "attribution"):
        assert fired[feature] == WEIGHTS[feature], feature
    assert checkworthiness(SPECIFIC, SegmentKind.STATEMENT, "China Rare Earth Group") == min(
        100, sum(fired.values())
    )


def test_questions_hedges_and_short_sentences_lose_points():
    base = explain("The ministry approved the new mining quota for the province.", "statement", "")
    question = explain(
        "Will the ministry approve the new mining quota for the province?", "statement", ""
    )
    hedged = explain(
        "The ministry could approve the new mining quota for the province.", "statement", ""
    )
    assert question["question"] == WEIGHTS["question"]
    assert hedged["hedge"] == WEIGHTS["hedge"]
    assert "question" not in base and "hedge" not in base
    assert explain("Prices fell.", "statement", "")["short"] == WEIGHTS["short"]


def test_superlatives_and_dates_add_points():
    fired = explain("It is the largest plant in the world, opened on Tuesday.", "statement", "")
    assert fired["superlative"] == WEIGHTS["superlative"]
    assert fired["date"] == WEIGHTS["date"]


def test_kind_adjustments():
    sentence = "Example Corp opens the first recycling plant in Ohio"
    statement = checkworthiness(sentence, SegmentKind.STATEMENT, "")
    assert checkworthiness(sentence, SegmentKind.SUBHEADING, "") < statement
    assert checkworthiness(sentence, SegmentKind.CAPTION, "") < statement
    assert checkworthiness(sentence, SegmentKind.DISCLAIMER, "") < statement


@given(st.text(max_size=300), st.sampled_from(list(SegmentKind)), st.text(max_size=20))
def test_score_is_always_within_bounds(sentence, kind, speaker):
    assert 0 <= checkworthiness(sentence, kind, speaker) <= 100
