"""Krippendorff's alpha against the worked example of Krippendorff (2011), and the page."""

import pytest
from django.urls import reverse

from claims import services as claim_services
from desk.agreement import NOMINAL, ORDINAL, coincidences, krippendorff_alpha, pair_agreements
from desk.services import handout_create

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, values 1–5, missing data (None). Unit 12 has one value only.
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS = [[v for v in unit if v is not None] for unit in zip(*OBSERVERS, strict=True)]


def test_coincidence_matrix_of_the_worked_example():
    matrix, pairable = coincidences(UNITS)
    margins = {c: sum(w for (a, _), w in matrix.items() if a == c) for c in range(1, 6)}
    assert pairable == 11
    assert margins == pytest.approx({1: 9, 2: 13, 3: 10, 4: 5, 5: 3})  # n = 40
    # Krippendorff (2011), table of coincidences: row 1 is 7, 4/3, 1/3, 1/3, 0.
    assert matrix[(1, 1)] == pytest.approx(7) and matrix[(1, 2)] == pytest.approx(4 / 3)


def test_nominal_alpha_of_the_worked_example():
    alpha = krippendorff_alpha(UNITS, level=NOMINAL)
    assert round(alpha.value, 3) == 0.743
    assert (alpha.units, alpha.values) == (11, 40)


def test_ordinal_alpha_of_the_worked_example():
    assert round(krippendorff_alpha(UNITS, level=ORDINAL).value, 3) == 0.815


def test_perfect_and_no_variation():
    assert krippendorff_alpha([["a", "a"], ["b", "b"]]).value == 1.0
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]).value is None  # nothing to measure
    assert krippendorff_alpha([["a"], ["b"]]).value is None  # nothing pairable


def test_ordinal_needs_every_value_ranked():
    with pytest.raises(ValueError, match="order"):
        krippendorff_alpha([["low", "top"]], level=ORDINAL, order=["low", "high"])


def test_pairs_use_the_units_both_judged():
    rows = [(1, "a", "x", "low"), (1, "b", "x", "low"), (2, "a", "y", "high"), (2, "c", "z", "low")]
    pairs = pair_agreements(rows, order=["low", "moderate", "high"])
    assert [(p.label, p.verdict.units) for p in pairs] == [("a & b", 1), ("a & c", 1)]


def test_agreement_page_shows_alphas_with_n_and_svg_bars(desk, claims6, client):
    handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        name="Batch one",
        by=desk["lead"],
    )
    for claim, (a, b) in zip(
        claims6[:4],
        [
            ("refuted", "refuted"),
            ("verified", "verified"),
            ("refuted", "disputed"),
            ("disputed", "disputed"),
        ],
        strict=True,
    ):
        claim_services.rating_set(
            claim=claim, by=desk["ann"], confidence="high", rationale="", proposed_verdict=a
        )
        claim_services.rating_set(
            claim=claim, by=desk["bob"], confidence="high", rationale="", proposed_verdict=b
        )
    client.force_login(desk["ann"])
    page = client.get(reverse("desk:agreement")).content.decode()
    expected = krippendorff_alpha(
        [
            ["refuted", "refuted"],
            ["verified", "verified"],
            ["refuted", "disputed"],
            ["disputed", "disputed"],
        ]
    )
    assert f"{expected.value:.3f}" in page
    assert "Batch one" in page and "ann &amp; bob" in page
    assert "<svg" in page and "(n = 4)" in page
