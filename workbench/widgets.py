"""HTML for long lists of choices (a select of every publisher: sources/widgets.py)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe


def options_html(choices: Iterable[tuple[object, object]], selected=()) -> SafeString:
    """`<option>`s of (value, label) pairs, those whose value is in `selected` selected.

    Joined in one pass, values and labels escaped: a template (or `format_html`) an option
    was most of the time of a page with a select of ~1,800 publishers.
    """
    chosen = {str(value) for value in selected}
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) in chosen else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )
