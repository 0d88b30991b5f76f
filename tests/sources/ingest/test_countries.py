"""Country names as the registry spells them (plain Python, no database)."""

import pytest

from sources.ingest.countries import canonical_country


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("China", "China"),
        ("china", "China"),
        ("CN", "China"),
        ("  south   korea ", "South Korea"),
        ("KR", "South Korea"),
        ("Hong Kong", "Hong Kong"),  # CLDR says "Hong Kong SAR China"; the registry does not
        ("Hong Kong SAR China", "Hong Kong"),
        ("Türkiye", "Turkey"),
        ("Côte d’Ivoire", "Côte d'Ivoire"),
        ("United States of America", "United States"),
        ("UAE", "United Arab Emirates"),
    ],
)
def test_a_country_is_stored_as_the_registry_spells_it(typed, stored):
    assert canonical_country(typed) == stored


@pytest.mark.parametrize("typed", ["", "Chna", "Atlantis", "C0", "001", "Europe and Asia"])
def test_what_is_no_country_is_none(typed):
    assert canonical_country(typed) is None
