"""sources/ingest/fingerprint.py: one shingling for sketches, passages and word overlap."""

from hypothesis import given
from hypothesis import strategies as st

from sources.ingest.fingerprint import ngrams, set_jaccard, shingles, sketch, sketch_limit


@given(st.lists(st.integers(0, 5), max_size=30), st.integers(1, 8))
def test_ngrams_are_every_run_of_consecutive_items_in_order(items, size):
    grams = list(ngrams(items, size))
    assert grams == [tuple(items[i : i + size]) for i in range(len(items) - size + 1)]


def test_a_text_shorter_than_a_shingle_is_one_shingle():
    assert shingles("Rare earths rose", 5) == {"rare earths rose"}
    assert shingles("", 5) == set()
    assert shingles("A b c d e f", 5) == {"a b c d e", "b c d e f"}


def test_set_jaccard_is_shared_over_all_and_zero_for_nothing():
    assert set_jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    assert set_jaccard(set(), {1}) == 0.0


def test_a_short_sketch_holds_every_shingle_so_it_has_no_limit():
    short = sketch("one two three four five six seven")
    assert len(short) == 3
    assert sketch_limit(short) == "g"  # above every hex digit: no threshold applies
    long = sketch(" ".join(f"word{i}" for i in range(200)))
    assert len(long) == 64
    assert sketch_limit(long) == long[-1]
