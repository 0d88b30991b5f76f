"""Quantities with units, and numeric contradictions between two claims."""

import pytest

from sources.ingest.numbers import numeric_conflicts, quantities


@pytest.mark.parametrize(
    ("text", "value", "kind", "unit"),
    [
        ("a $250 million deal", 250e6, "money", "USD"),
        ("US$1.2bn in sales", 1.2e9, "money", "USD"),
        ("300 million yuan", 300e6, "money", "CNY"),
        ("8,500 t of oxide", 8500, "mass", "mass"),
        ("9,000 tonnes", 9000, "mass", "mass"),
        ("124,000 tons", 124000, "mass", "mass"),
        ("rose 5%", 5, "percent", "percent"),
        ("97 percent of supply", 97, "percent", "percent"),
    ],
)
def test_quantities_are_normalised(text, value, kind, unit):
    [q] = quantities(text)
    assert (q.value, q.kind, q.unit) == (value, kind, unit)


def test_bare_numbers_and_years_are_not_quantities():
    assert quantities("In 2024, 21 academicians met 5 m away.") == []


@pytest.mark.parametrize(
    ("ours", "theirs", "described"),
    [
        (
            "The deal is worth $250 million.",
            "The $300 million deal was signed.",
            "money: $250 million vs $300 million",
        ),
        (
            "Output reached 8,500 t.",
            "Output reached 9,000 tonnes.",
            "mass: 8,500 t vs 9,000 tonnes",
        ),
        ("Exports fell 5%.", "Exports fell 7 percent.", "percent: 5% vs 7 percent"),
    ],
)
def test_different_values_of_one_kind_are_flagged(ours, theirs, described):
    [conflict] = numeric_conflicts(ours, theirs)
    assert conflict.describe() == described


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Output reached 8,500 t.", "Output reached 8.5 thousand tonnes."),
        ("The deal is worth $250 million.", "Exports fell 5%."),
        ("A $250 million deal.", "A 250 million yuan deal."),
        ("No numbers here.", "The $300 million deal."),
    ],
)
def test_same_values_or_different_kinds_are_not_flagged(ours, theirs):
    assert numeric_conflicts(ours, theirs) == []
