"""Show why an article's publisher and origin are what they are (`Article.*_evidence`)."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from workbench.text import reveal_bidi_html

register = template.Library()

CONTEXT_CHARS = 60


def _credit_span(text: str, evidence: dict) -> tuple[int, int] | None:
    """The evidence's span of `text`, if it still points at the credit it quotes."""
    start, end = evidence.get("start"), evidence.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        return None
    quoted = evidence.get("text")
    if quoted and text[start:end] != quoted:
        return None
    return start, end


def _one_line(text: str) -> str:
    """White space collapsed; a paragraph break shown as ¶ so two paragraphs do not run on."""
    return re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", " ¶ ", text))


@register.simple_tag
def credit_in_context(text: str, evidence: dict) -> SafeString | str:
    """The credit highlighted in the words around it: "…BANGKOK <mark>(AP)</mark> — China…"."""
    span = _credit_span(text or "", evidence or {})
    if span is None:
        return ""
    start, end = span
    before_at = max(0, start - CONTEXT_CHARS)
    after_at = min(len(text), end + CONTEXT_CHARS)
    before, after = text[before_at:start], text[end:after_at]
    if before_at:  # start and end on whole words
        before = re.sub(r"^\S*\s", "", before)
    if after_at < len(text):
        after = re.sub(r"\s\S*$", "", after)
    return format_html(
        '<q class="in-context">{}{}<mark class="credit">{}</mark>{}{}</q>',
        "…" if before_at else "",
        reveal_bidi_html(_one_line(before).lstrip()),
        reveal_bidi_html(text[start:end]),
        reveal_bidi_html(_one_line(after).rstrip()),
        "…" if after_at < len(text) else "",
    )
