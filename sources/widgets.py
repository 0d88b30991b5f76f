"""The select of every publisher, its options written once per registry state.

Every claim page (the evidence form), the article editor and the queue's filter offer all
~1,800 publishers. Their `<option>`s come from the shared registry
(`PublisherRegistry.shared().options_html`), written once while no publisher changes, not
from a model instance and a template per option on each page.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from sources.registry import PublisherRegistry
from workbench.widgets import options_html


class PublisherSelect(forms.Select):
    """A `ModelChoiceField`'s select of every publisher (the field still validates the choice).

    `registry`: the registry a page already holds (no second version check), else the shared one.
    """

    registry: PublisherRegistry | None = None

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        values = self.format_value(value)
        selected = values[0] if values else None
        field = getattr(self.choices, "field", None)
        empty = getattr(field, "empty_label", None)
        first = options_html([("", empty)], [selected or ""]) if empty is not None else ""
        options = (self.registry or PublisherRegistry.shared()).options_html(selected)
        return mark_safe(f"<select{flatatt(attrs)}>{first}{options}</select>")
