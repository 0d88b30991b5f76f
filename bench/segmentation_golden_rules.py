"""Sentence-segmentation accuracy on pySBD's English "Golden Rules" (48 cases).

Measures, for each case in `bench/golden_rules_en.py`, whether a segmenter splits the input into
exactly the expected sentences (each sentence stripped of surrounding white space, lists compared
exactly). Two segmenters are measured:

  (a) plain `pysbd.Segmenter(language="en", clean=False)`, the reference;
  (b) the workbench's `sources.ingest.segment.split_sentences`, which returns character spans
      `(start, end)` into the text; its spans are also checked to be in bounds, non-overlapping
      and in order, and free of surrounding white space (`text[s:e] == text[s:e].strip()`).

Run from the repository root:

    .venv/bin/python bench/segmentation_golden_rules.py [--verbose]

`--verbose` prints one line per failing case. The reference is the baseline: the workbench's
passes and time are printed as multiples of pySBD's. Exits 1 when the workbench segmenter could
not be measured (it does not import) or a case made it raise; failed cases are figures, not
errors.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench._setup import print_calibration, ratio  # noqa: E402
from bench.golden_rules_en import GOLDEN_RULES, XFAIL_IN_PYSBD  # noqa: E402

SegmentFn = Callable[[str], list[str]]
Span = tuple[int, int]

TRUNCATE = 200


@dataclass
class Failure:
    """One case a segmenter got wrong (or raised on)."""

    number: int  # 1-based position in GOLDEN_RULES
    text: str
    expected: list[str]
    got: list[str] | None  # None when the segmenter raised
    error: str | None = None


@dataclass
class Result:
    """Outcome of running one segmenter over every case."""

    passed: int
    total: int
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ratio(self) -> float:
        return self.passed / self.total if self.total else 0.0


def evaluate(segment_fn: SegmentFn, cases: list[tuple[str, list[str]]] | None = None) -> Result:
    """Run `segment_fn` on every case; a case passes when the stripped sentences equal the
    expected list exactly. An exception on one case counts as a failure of that case."""
    cases = GOLDEN_RULES if cases is None else cases
    failures: list[Failure] = []
    started = time.perf_counter()
    for number, (text, expected) in enumerate(cases, start=1):
        try:
            got = [s.strip() for s in segment_fn(text)]
        except Exception as exc:  # a benchmark reports, it does not stop
            failures.append(Failure(number, text, expected, None, f"{type(exc).__name__}: {exc}"))
            continue
        if got != expected:
            failures.append(Failure(number, text, expected, got))
    seconds = time.perf_counter() - started
    return Result(len(cases) - len(failures), len(cases), failures, seconds)


def pysbd_segment_fn() -> SegmentFn:
    """The reference: plain pySBD, English, no cleaning."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter.segment


def span_violations(text: str, spans: list[Span]) -> list[str]:
    """Describe every span that is out of bounds, empty, out of order or overlapping, or that
    has white space at either end."""
    problems: list[str] = []
    previous_end = 0
    for s, e in spans:
        if not (0 <= s < e <= len(text)):
            problems.append(f"span ({s}, {e}) out of bounds or empty (len {len(text)})")
            continue
        if s < previous_end:
            problems.append(f"span ({s}, {e}) overlaps or precedes previous end {previous_end}")
        piece = text[s:e]
        if piece != piece.strip():
            problems.append(f"span ({s}, {e}) has surrounding white space: {piece!r}")
        previous_end = e
    return problems


def load_workbench_splitter() -> Callable[..., list[Span]]:
    """Import the project's span splitter; raises ImportError if it is not there (yet)."""
    from sources.ingest.segment import split_sentences

    return split_sentences


def workbench_segment_fn(
    split_sentences: Callable[..., list[Span]], violations: list[tuple[int, str]]
) -> SegmentFn:
    """Adapt the span splitter to the string interface of `evaluate`, recording span problems
    as (case number, description) in `violations`. Case numbers count calls, which matches
    `evaluate` calling the function once per case, in order."""
    case_number = 0

    def segment(text: str) -> list[str]:
        nonlocal case_number
        case_number += 1
        spans = [(int(s), int(e)) for s, e in split_sentences(text)]
        violations.extend((case_number, v) for v in span_violations(text, spans))
        return [text[s:e] for s, e in spans]

    return segment


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= TRUNCATE else text[: TRUNCATE - 3] + "..."


def print_failures(label: str, result: Result) -> None:
    for f in result.failures:
        mark = " [xfail in pySBD]" if f.number in XFAIL_IN_PYSBD else ""
        if f.error is not None:
            print(f"  {label} case {f.number}{mark}: raised {_short(f.error)}")
        else:
            print(f"  {label} case {f.number}{mark}: expected {_short(f.expected)}")
            print(f"  {' ' * len(label)} {' ' * len(str(f.number))}       got      {_short(f.got)}")


def summary_line(label: str, result: Result) -> str:
    return (
        f"{label:<20}: {result.passed}/{result.total} passed ({result.ratio:.1%})"
        f"  in {result.seconds * 1000:.1f} ms"
        f" ({result.seconds * 1000 / max(result.total, 1):.2f} ms/case)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failing case")
    args = parser.parse_args(argv)

    print_calibration()
    print(f"English Golden Rules: {len(GOLDEN_RULES)} cases (bench/golden_rules_en.py)")
    reference = evaluate(pysbd_segment_fn())
    if args.verbose and reference.failures:
        print("pysbd (reference) failures:")
        print_failures("pysbd", reference)

    workbench: Result | None = None
    violations: list[tuple[int, str]] = []
    workbench_error: str | None = None
    try:
        split_sentences = load_workbench_splitter()
    except Exception as exc:
        workbench_error = f"could not import sources.ingest.segment.split_sentences: {exc!r}"
        if args.verbose:
            traceback.print_exc()
    else:
        workbench = evaluate(workbench_segment_fn(split_sentences, violations))
        if args.verbose and workbench.failures:
            print("workbench segmenter failures:")
            print_failures("workbench", workbench)

    print(summary_line("pysbd (reference)", reference))
    if workbench is None:
        print(f"{'workbench segmenter':<20}: NOT MEASURED, {workbench_error}")
        print(f"bench: FAILED: {workbench_error}", file=sys.stderr)
        return 1
    print(summary_line("workbench segmenter", workbench))
    print(
        f"{'vs the reference':<20}: {ratio(workbench.passed, reference.passed):.2f}× its passes,"
        f" {ratio(workbench.seconds, reference.seconds):.2f}× its time"
    )
    raised = [f for f in workbench.failures if f.error is not None]
    if raised:
        print(
            f"{'':<20}  ({len(raised)} case(s) raised: {', '.join(str(f.number) for f in raised)})"
        )
    print(f"{'workbench spans':<20}: {len(violations)} violation(s)")
    for number, description in violations:
        print(f"  case {number}: {_short(description)}")
    if raised:
        print(f"bench: FAILED: case {raised[0].number} raised {raised[0].error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
