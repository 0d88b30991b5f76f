"""Form widgets and HTML for long lists of choices (a select of every publisher)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import forms
from django.forms.utils import flatatt
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


class LongSelect(forms.Select):
    """A `<select>` whose options are written by `options_html`, not a template each."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        values = self.format_value(value)
        options = options_html(((v, label) for v, label in self.choices), values)
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")
