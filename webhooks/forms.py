"""The endpoint form of the webhooks pages: URL, description, events, active."""

from __future__ import annotations

from django import forms

from workbench.events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where to POST the events: a public http(s) address.",
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="Who receives it, what for."
    )
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {what}") for name, what in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(required=False, initial=True, help_text="Inactive: sent nothing.")
