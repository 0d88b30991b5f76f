"""The Golden Rules benchmark: its data is well formed and the pySBD reference scores >= 90%."""

from bench.golden_rules_en import GOLDEN_RULES, XFAIL_IN_PYSBD
from bench.segmentation_golden_rules import evaluate, pysbd_segment_fn, span_violations


def test_golden_rules_data_is_well_formed() -> None:
    assert len(GOLDEN_RULES) >= 40
    for number, (text, expected) in enumerate(GOLDEN_RULES, start=1):
        assert isinstance(text, str) and text.strip(), number
        assert isinstance(expected, list) and expected, number
        assert all(isinstance(s, str) and s and s == s.strip() for s in expected), number
    assert all(1 <= n <= len(GOLDEN_RULES) for n in XFAIL_IN_PYSBD)


def test_pysbd_reference_passes_at_least_90_percent() -> None:
    result = evaluate(pysbd_segment_fn())
    assert result.total == len(GOLDEN_RULES)
    assert result.passed + len(result.failures) == result.total
    assert result.passed >= 0.9 * result.total, [f.number for f in result.failures]


def test_evaluate_counts_exceptions_as_failures() -> None:
    def broken(text: str) -> list[str]:
        raise RuntimeError("nope")

    result = evaluate(broken, GOLDEN_RULES[:3])
    assert (result.passed, result.total) == (0, 3)
    assert all(f.error and "RuntimeError" in f.error for f in result.failures)


def test_span_violations() -> None:
    text = "One. Two."
    assert span_violations(text, [(0, 4), (5, 9)]) == []
    assert len(span_violations(text, [(0, 5)])) == 1  # trailing space
    assert len(span_violations(text, [(0, 10)])) == 1  # out of bounds
    assert len(span_violations(text, [(5, 9), (0, 4)])) == 1  # out of order
