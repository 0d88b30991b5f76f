"""Krippendorff's alpha, nominal and ordinal, in plain Python; and the desk's agreement.

Follows Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg
School for Communication, University of Pennsylvania (https://repository.upenn.edu/asc_papers/43):
values are paired within each unit (a claim), each pair of values from two different coders
(reviewers) weighing 1/(m_u − 1), where m_u is the number of values of unit u; units with one
value are not pairable and drop out. From the coincidence matrix o_ck and its marginals n_c
(n = Σ n_c):

    alpha = 1 − D_o / D_e,  D_o = Σ o_ck δ²_ck,  D_e = Σ n_c n_k δ²_ck / (n − 1)

with δ²_ck = 0 if c = k else 1 (nominal), and for ordinal values in rank order
δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k) / 2)². Plain Python, no numpy: a desk's data are
thousands of judgements, not millions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, permutations

NOMINAL = "nominal"
ORDINAL = "ordinal"


@dataclass(frozen=True)
class Alpha:
    """An alpha with what it rests on: `units` pairable units, `values` pairable values."""

    value: float | None  # None: nothing pairable, or no variation to measure against
    units: int
    values: int


def coincidences(units: Iterable[Sequence[Hashable]]) -> tuple[Counter, int]:
    """The coincidence matrix {(c, k): o_ck} of the units' values, and the pairable units."""
    matrix: Counter = Counter()
    pairable = 0
    for values in units:
        m = len(values)
        if m < 2:
            continue
        pairable += 1
        for a, b in permutations(range(m), 2):
            matrix[(values[a], values[b])] += 1 / (m - 1)
    return matrix, pairable


def krippendorff_alpha(
    units: Iterable[Sequence[Hashable]], *, level: str = NOMINAL, order: Sequence = ()
) -> Alpha:
    """Krippendorff's alpha of `units` (each the values its coders gave; missing left out).

    `level` is NOMINAL or ORDINAL; ordinal values are ranked by `order` (all of them), or
    sorted when `order` is empty.
    """
    matrix, pairable = coincidences(units)
    margins: Counter = Counter()
    for (c, _), weight in matrix.items():
        margins[c] += weight
    n = sum(margins.values())
    if n <= 1:
        return Alpha(None, pairable, round(n))
    ranked = list(order) if order else sorted(margins)
    position = {value: i for i, value in enumerate(ranked)}
    if level == ORDINAL and (unknown := set(margins) - set(position)):
        raise ValueError(f"order: values {sorted(map(str, unknown))} are not ranked.")
    # Cumulative marginals, so each ordinal distance is two look-ups.
    cumulative, running = [], 0.0
    for value in ranked:
        running += margins.get(value, 0.0)
        cumulative.append(running)

    def delta(c, k) -> float:
        if c == k:
            return 0.0
        if level == NOMINAL:
            return 1.0
        i, j = sorted((position[c], position[k]))
        between = cumulative[j] - (cumulative[i - 1] if i else 0.0)
        return (between - (margins[c] + margins[k]) / 2) ** 2

    if level not in (NOMINAL, ORDINAL):
        raise ValueError(f"level: {level!r} is not {NOMINAL} or {ORDINAL}.")
    observed = sum(weight * delta(c, k) for (c, k), weight in matrix.items())
    expected = sum(margins[c] * margins[k] * delta(c, k) for c in margins for k in margins) / (
        n - 1
    )
    if expected == 0:
        return Alpha(None, pairable, round(n))
    return Alpha(1 - observed / expected, pairable, round(n))


@dataclass(frozen=True)
class Agreement:
    """Alpha of the proposed verdicts (nominal) and of the confidences (ordinal)."""

    label: str
    verdict: Alpha
    confidence: Alpha


def agreement_of(
    judgements: Iterable[tuple[Hashable, Hashable, str, str]], *, order: Sequence[str], label=""
) -> Agreement:
    """Agreement of (unit, coder, proposed verdict, confidence) rows; empty verdicts missing."""
    verdicts: dict = defaultdict(list)
    confidences: dict = defaultdict(list)
    for unit, _coder, verdict, confidence in judgements:
        if verdict:
            verdicts[unit].append(verdict)
        if confidence:
            confidences[unit].append(confidence)
    return Agreement(
        label,
        krippendorff_alpha(verdicts.values(), level=NOMINAL),
        krippendorff_alpha(confidences.values(), level=ORDINAL, order=order),
    )


def pair_agreements(
    judgements: Sequence[tuple[Hashable, Hashable, str, str]],
    *,
    order: Sequence[str],
    names: Mapping[Hashable, str] | None = None,
) -> list[Agreement]:
    """Agreement of each pair of coders over the units both judged."""
    by_coder: dict = defaultdict(dict)
    for unit, coder, verdict, confidence in judgements:
        by_coder[coder][unit] = (verdict, confidence)
    names = names or {}
    pairs = []
    for a, b in combinations(sorted(by_coder, key=str), 2):
        shared = by_coder[a].keys() & by_coder[b].keys()
        if not shared:
            continue
        rows = [(u, a, *by_coder[a][u]) for u in shared] + [(u, b, *by_coder[b][u]) for u in shared]
        label = f"{names.get(a, a)} & {names.get(b, b)}"
        pairs.append(agreement_of(rows, order=order, label=label))
    return pairs
