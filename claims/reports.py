"""The claim report: the selected claims grouped by article, with a status chart.

One `build_report` for the HTML page (templates/claims/report.html) and the PDF
(claims/report_pdf.py, templates/claims/report_pdf.html); its title says what the filter is
(`report_title`: "Verified-claim report" only for exactly the verified claims).

The report is built from the same full records as the exports (claims.exports.records), so its
content hash is the hash an export of the same selection gives. Queries are bounded whatever
the number of claims: the records (one chunk: claims, three prefetches, neighbours, history
counts), the change log (one query per historical table), the counts by status and the
chart's counts by publisher and status.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from claims.choices import STATUS_LABELS
from claims.exports import status_counts
from claims.exports.formats import Tally
from claims.exports.records import iter_full_claims
from claims.exports.schema import canonical_json
from claims.history import RELATED, entries_for, history_model
from claims.models import Claim, ClaimStatus
from claims.triage import describe_filters
from desk.blind import visibility_filters
from sources.models import Article

REPORT_LIMIT = 1000
CHANGELOG_ENTRIES = 6
CHART_PUBLISHERS = 12

# The statuses' colours, as the badges have them: static/css/statuses.css is their one
# definition, and the chart's bars (SVG fill attributes) read them from it.
STATUS_STYLESHEET = "css/statuses.css"
_COLOUR_RE = re.compile(r"--([a-z_]+):\s*(#[0-9a-fA-F]{6})\b")


@cache
def status_colours() -> dict[str, str]:
    """Return {status: "#rrggbb"} from the custom properties of the status stylesheet."""
    path = finders.find(STATUS_STYLESHEET)
    found = dict(_COLOUR_RE.findall(Path(path).read_text(encoding="utf-8")))
    missing = sorted(set(ClaimStatus.values) - set(found))
    if missing:
        raise ImproperlyConfigured(f"{STATUS_STYLESHEET} has no colour for {', '.join(missing)}")
    return {status: found[status] for status in ClaimStatus.values}


@dataclass
class ChangeLine:
    date: datetime
    user: str
    what: str
    fields: list[str]
    reason: str


@dataclass
class ReportClaim:
    claim: Claim
    record: dict
    changes: list[ChangeLine] = field(default_factory=list)


@dataclass
class ReportArticle:
    article: Article
    claims: list[ReportClaim] = field(default_factory=list)


@dataclass
class Report:
    title: str
    exported_by: str
    exported_at: datetime
    filter_description: list[tuple[str, str]]
    counts: list[tuple[str, str, int]]  # (status, label, count)
    total: int
    articles: list[ReportArticle]
    shown: int
    truncated: bool
    content_hash: str
    chart: SafeString
    include_notes: bool


def change_logs(claim_ids: list[int], *, visible=None) -> dict[int, list[ChangeLine]]:
    """The newest changes of each claim and what is attached to it, one query per table
    (`visible`: desk.blind.visibility_filters of the reader)."""
    lines: dict[int, list[tuple]] = defaultdict(list)
    if not claim_ids:
        return {}
    for kind in ("claim", "corroboration", "rating", "note"):
        model = history_model(kind)
        key = "id" if kind == "claim" else "claim_id"
        records = model.objects.filter(**{f"{key}__in": claim_ids})
        if visible and (live := model.instance_type) in visible:
            records = records.filter(visible[live])
        records = list(records.select_related(*RELATED[kind]))
        owner = {r.history_id: getattr(r, key) for r in records}
        for entry in entries_for(kind, records):
            lines[owner[entry.history_id]].append(
                (
                    entry.date,
                    entry.history_id,
                    ChangeLine(
                        date=entry.date,
                        user=entry.user.get_username() if entry.user else "system",
                        what=f"{entry.object_label} {entry.action}",
                        fields=[c.verbose_name for c in entry.changes],
                        reason=entry.reason,
                    ),
                )
            )
    return {
        claim_id: [line for *_, line in sorted(items, key=lambda i: i[:2], reverse=True)]
        for claim_id, items in lines.items()
    }


def publisher_status_counts(queryset: QuerySet) -> list[tuple[str, dict[str, int]]]:
    """Claims per publisher and status (one grouped query), biggest publishers first."""
    rows = (
        queryset.order_by()
        .values_list("article__publisher__name", "status")
        .annotate(n=Count("id"))
    )
    by_publisher: dict[str, dict[str, int]] = defaultdict(dict)
    for name, status, n in rows:
        by_publisher[name or "(no publisher)"][status] = n
    return sorted(by_publisher.items(), key=lambda item: (-sum(item[1].values()), item[0]))


def status_chart(data: list[tuple[str, dict[str, int]]]) -> SafeString:
    """Draw claims by status per publisher as a horizontal stacked bar chart (inline SVG).

    The geometry is worked out here; the markup is `templates/claims/_chart.svg`, rendered
    with autoescaping like any page (publisher names are user data).
    """
    data = data[:CHART_PUBLISHERS]
    label_w, bar_w, row_h, top = 190, 420, 22, 8
    statuses = [s for s in ClaimStatus.values if any(counts.get(s) for _, counts in data)]
    legend_h = 24
    height = top + row_h * max(len(data), 1) + legend_h + 8
    width = label_w + bar_w + 60
    biggest = max((sum(c.values()) for _, c in data), default=0) or 1
    rows = []
    for i, (name, counts) in enumerate(data):
        y = top + i * row_h
        x = float(label_w)
        bars = []
        for status in statuses:
            n = counts.get(status, 0)
            if not n:
                continue
            w = bar_w * n / biggest
            bars.append(
                {
                    "x": f"{x:.1f}",
                    "width": f"{w:.1f}",
                    "fill": status_colours()[status],
                    "status": status,
                    "count": n,
                    "label": STATUS_LABELS[status],
                }
            )
            x += w
        rows.append(
            {
                "name": name,
                "label": name if len(name) <= 28 else name[:27] + "…",
                "label_x": label_w - 6,
                "text_y": y + 14,
                "bar_y": y + 3,
                "bars": bars,
                "total": sum(counts.values()),
                "total_x": f"{x + 4:.1f}",
            }
        )
    legend_y = top + row_h * max(len(data), 1) + 8
    legend, x = [], 0
    for status in statuses:
        label = STATUS_LABELS[status]
        legend.append(
            {
                "x": x,
                "text_x": x + 14,
                "fill": status_colours()[status],
                "status": status,
                "label": label,
            }
        )
        x += 14 + 7 * len(label) + 12
    return render_to_string(
        "claims/_chart.svg",
        {
            "width": width,
            "height": height,
            "rows": rows,
            "bar_height": row_h - 6,
            "empty_y": top + 14,
            "legend": legend,
            "legend_y": legend_y,
            "legend_text_y": legend_y + 9,
        },
    )


VERIFIED_TITLE = "Verified-claim report"


def report_title(filters, described: list[tuple[str, str]]) -> str:
    """The report's title from its filter: "Verified-claim report" only for exactly
    `status=verified`, else e.g. "Claim report — status: all; search: “shipment”".

    `described` is `describe_filters(filters, user)`, the filter in the queue's words.
    """
    if filters.statuses == [ClaimStatus.VERIFIED] and len(described) == 1:
        return VERIFIED_TITLE
    return "Claim report — " + "; ".join(f"{label.lower()}: {value}" for label, value in described)


def build_report(queryset: QuerySet, *, filters, user, include_notes: bool = True) -> Report:
    """Assemble the report of the selection `queryset` (ordered by article and span)."""
    exported_at = timezone.now()
    visible = visibility_filters(user)  # blind review: what this reader may see
    counts = status_counts(queryset)
    total = sum(counts.values())
    tally = Tally()
    articles: list[ReportArticle] = []
    selected = queryset[:REPORT_LIMIT]
    items: list[ReportClaim] = []
    for claim, record in iter_full_claims(
        selected, include_notes=include_notes, chunk_size=REPORT_LIMIT, visible=visible
    ):
        tally.add(canonical_json(record))
        item = ReportClaim(claim, record)
        items.append(item)
        if not articles or articles[-1].article.pk != claim.article_id:
            articles.append(ReportArticle(claim.article))
        articles[-1].claims.append(item)
    logs = change_logs([i.claim.pk for i in items], visible=visible)
    for item in items:
        item.changes = logs.get(item.claim.pk, [])[:CHANGELOG_ENTRIES]
    described = describe_filters(filters, user)
    return Report(
        title=report_title(filters, described),
        exported_by=user.get_username(),
        exported_at=exported_at,
        filter_description=described,
        counts=[(s, STATUS_LABELS[s], n) for s, n in counts.items()],
        total=total,
        articles=articles,
        shown=len(items),
        truncated=total > len(items),
        content_hash=tally.hexdigest,
        chart=status_chart(publisher_status_counts(queryset)),
        include_notes=include_notes,
    )
