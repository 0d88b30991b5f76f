"""What the agreement page shows: alpha overall, per hand-out and per reviewer pair.

Two queries: the judgements (ratings) of handed-out claims by their reviewers, and the
hand-outs' assignments; the alphas are computed in Python (desk.agreement).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from claims.choices import Confidence
from claims.models import Rating
from desk.agreement import Agreement, agreement_of, pair_agreements
from desk.models import Assignment, HandOut

CHART_WIDTH = 300  # px of the bar of alpha 1 (alpha below 0 draws no bar)


def handed_out_judgements() -> list[tuple[int, int, str, str]]:
    """(claim id, reviewer id, proposed verdict, confidence) of every rating of a claim
    handed to that reviewer."""
    assigned = Assignment.objects.filter(
        claim_id=OuterRef("claim_id"), reviewer_id=OuterRef("reviewer_id")
    )
    return list(
        Rating.objects.filter(Exists(assigned))
        .order_by("claim_id", "reviewer_id")
        .values_list("claim_id", "reviewer_id", "proposed_verdict", "confidence")
    )


ROW_HEIGHT = 20
LABEL_WIDTH = 200


def chart(title: str, rows: list[tuple[str, object]]) -> dict:
    """A server-rendered bar chart of alphas (templates/desk/_alpha_chart.svg): one bar a
    row, of width alpha × CHART_WIDTH (none below 0), with the value and n beside it."""
    bars = []
    for i, (label, alpha) in enumerate(rows):
        value = alpha.value
        width = 0 if value is None else round(max(value, 0) * CHART_WIDTH)
        shown = "—" if value is None else f"{value:.3f}"
        bars.append(
            {
                "label": label,
                "y": i * ROW_HEIGHT,
                "width": width,
                "text_x": LABEL_WIDTH + width + 4,
                "text": f"{shown} (n = {alpha.units})",
            }
        )
    return {
        "title": title,
        "bars": bars,
        "bar_x": LABEL_WIDTH,
        "width": LABEL_WIDTH + CHART_WIDTH + 120,
        "height": max(len(rows), 1) * ROW_HEIGHT + 4,
    }


def agreement_context() -> dict:
    """The agreement page: a table of every alpha and two charts (verdicts, confidence)."""
    order = list(Confidence.values)
    judgements = handed_out_judgements()
    by_pair = {(c, r): (v, k) for c, r, v, k in judgements}
    per_hand_out: dict[int, list] = defaultdict(list)
    for hand_out_id, claim_id, reviewer_id in Assignment.objects.values_list(
        "hand_out_id", "claim_id", "reviewer_id"
    ).iterator():
        if (judged := by_pair.get((claim_id, reviewer_id))) is not None:
            per_hand_out[hand_out_id].append((claim_id, reviewer_id, *judged))
    names = dict(get_user_model().objects.values_list("pk", "username"))
    hand_outs = {h.pk: str(h) for h in HandOut.objects.filter(pk__in=list(per_hand_out))}
    sections: list[tuple[str, list[Agreement]]] = [
        ("Overall", [agreement_of(judgements, order=order, label="All hand-outs")]),
        (
            "Per hand-out",
            [
                agreement_of(rows, order=order, label=hand_outs.get(pk, f"#{pk}"))
                for pk, rows in sorted(per_hand_out.items(), reverse=True)
            ],
        ),
        ("Per reviewer pair", pair_agreements(judgements, order=order, names=names)),
    ]
    every = [a for _, agreements in sections for a in agreements]
    return {
        "sections": sections,
        "verdict_chart": chart("Verdict agreement", [(a.label, a.verdict) for a in every]),
        "confidence_chart": chart("Confidence agreement", [(a.label, a.confidence) for a in every]),
    }
