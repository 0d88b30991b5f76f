"""Render an article's text as escaped HTML with its claim spans marked (no template loops)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.models import ClaimKind


def highlight(
    text: str,
    spans: Iterable,
    *,
    current_id: int | None = None,
    start: int = 0,
    end: int | None = None,
) -> SafeString:
    """Return `text[start:end]` escaped, each claim span a link styled by status.

    `spans` are claims (start, end, pk, kind, status) sorted by start and non-overlapping.
    Chrome is greyed and not a link. Everything from the article is escaped.
    """
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        s, e = max(span.start, start), min(span.end, end)
        if s > pos:
            out.append(escape(text[pos:s]))
        piece = text[s:e]
        if span.kind == ClaimKind.CHROME:
            out.append(format_html('<span class="chrome" title="Page chrome">{}</span>', piece))
        elif span.pk == current_id:
            out.append(
                format_html(
                    '<mark class="current" id="claim-{}" aria-label="This claim ({})">{}</mark>',
                    span.pk,
                    span.get_status_display(),
                    piece,
                )
            )
        else:
            out.append(
                format_html(
                    '<a class="span span-{}" href="{}" title="{}: {}">{}</a>',
                    span.status,
                    reverse("claims:detail", args=[span.pk]),
                    span.get_kind_display(),
                    span.get_status_display(),
                    piece,
                )
            )
        pos = e
    if pos < end:
        out.append(escape(text[pos:end]))
    return mark_safe("".join(out))


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the paragraph (blank-line or line separated) around a span."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right == -1 else right
