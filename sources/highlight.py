"""Render an article's text as escaped HTML with its claim spans marked (no template loops)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from claims.models import ClaimKind
from workbench.text import reveal_bidi_html

# The most of an article's text a page shows at once: the claim in its paragraph, the whole
# article (a claim page's "full article", the article page). A 4.5 MB page of one sentence
# made a 9 MB claim page; longer texts are shown as a window, the rest a link away.
CONTEXT_CHARS = 4_000
PAGE_CHARS = 100_000


@dataclass(frozen=True)
class Window:
    """The part [start, end) of a text of `length` characters that a page shows."""

    start: int
    end: int
    length: int

    @property
    def cut(self) -> bool:
        return self.start > 0 or self.end < self.length

    @property
    def earlier(self) -> int:
        """Where the window of the article page before this one starts."""
        return max(0, self.start - PAGE_CHARS)

    @classmethod
    def page(cls, length: int, start: int) -> Window:
        """The article page's window from `start` (clamped into the text)."""
        start = max(0, min(start, max(0, length - 1)))
        return cls(start, min(length, start + PAGE_CHARS), length)


def window(length: int, start: int, end: int, *, limit: int, within=None) -> Window:
    """At most `limit` characters of a text of `length`, around [start, end).

    The window lies inside `within` (bounds, e.g. a paragraph; default: the whole text),
    holds as much of [start, end) as fits — its beginning when it is longer than `limit` —
    and spends what is left evenly before and after it.
    """
    low, high = within or (0, length)
    start, end = max(low, min(start, high)), max(low, min(end, high))
    if end - start >= limit:
        return Window(start, start + limit, length)
    spare = limit - (end - start)
    before = min(start - low, spare // 2)
    after = min(high - end, spare - before)
    before = min(start - low, spare - after)  # what `after` could not use goes before
    return Window(start - before, end + after, length)


def highlight(
    text: str,
    spans: Iterable,
    *,
    current_id: int | None = None,
    start: int = 0,
    end: int | None = None,
) -> SafeString:
    """Return `text[start:end]` escaped, each claim span a link styled by status.

    `spans` are claims (start, end, pk, kind, status). They may overlap — a reviewer's claim
    inside a sentence — so the text is cut at every span boundary and each piece links to
    the innermost claim covering it; the current claim is marked wherever it reaches. Chrome
    is greyed, and a link too (a reviewer may find it is a claim). A drag over the links
    selects text (static/js/selection.js). Everything from the article is escaped, and its
    direction controls shown as badges, not applied (workbench/text.py).
    """
    end = len(text) if end is None else end
    shown = sorted(
        (s for s in spans if s.end > start and s.start < end), key=lambda s: (s.start, s.end)
    )
    cuts = sorted(
        {start, end, *(max(s.start, start) for s in shown), *(min(s.end, end) for s in shown)}
    )
    out: list[str] = []
    active: list = []
    waiting = iter(shown)
    upcoming = next(waiting, None)
    marked = False
    for a, b in pairwise(cuts):
        while upcoming is not None and upcoming.start <= a:
            active.append(upcoming)
            upcoming = next(waiting, None)
        active = [s for s in active if s.end > a]
        piece = reveal_bidi_html(text[a:b])
        current = next((s for s in active if s.pk == current_id), None)
        others = [s for s in active if s.pk != current_id]
        if current is not None:
            # Inside the current claim, only the claims within it are links.
            others = [s for s in others if s.end - s.start < current.end - current.start]
        inner = min(others, key=lambda s: (s.end - s.start, s.pk)) if others else None
        html = _link(inner, piece) if inner is not None else piece
        if current is not None:
            html = _mark(current, html, first=not marked)
            marked = True
        out.append(html)
    return mark_safe("".join(out))


def _link(span, piece: SafeString) -> str:
    url = reverse("claims:detail", args=[span.pk])
    if span.kind == ClaimKind.CHROME:
        return format_html('<a class="chrome" href="{}" title="Page chrome">{}</a>', url, piece)
    return format_html(
        '<a class="span span-{}" href="{}" title="{}: {}">{}</a>',
        span.status,
        url,
        span.get_kind_display(),
        span.get_status_display(),
        piece,
    )


def _mark(claim, inner: str, *, first: bool) -> str:
    if not first:
        return format_html('<mark class="current">{}</mark>', mark_safe(inner))
    return format_html(
        '<mark class="current" id="claim-{}" aria-label="This claim ({})">{}</mark>',
        claim.pk,
        claim.get_status_display(),
        mark_safe(inner),
    )


def span_data(spans: Iterable) -> str:
    """What the selection tools (static/js/selection.js) know of each claim of the text: JSON.

    It goes in an attribute (escaped by the template), not a script element: every script
    of a page is a file with the CSP nonce.
    """
    return json.dumps(
        [
            {"id": s.pk, "start": s.start, "end": s.end, "kind": s.kind, "version": s.version}
            for s in spans
        ],
        separators=(",", ":"),
    )


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the paragraph (blank-line or line separated) around a span."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right == -1 else right
