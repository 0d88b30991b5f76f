"""Refusals as one line a reader can act on: each field named as a reader knows it.

A form's errors and a service's `ValidationError` come keyed by field *names*
(`evidence_claim`, `published_on`); the line shown names the field in words instead — its
form label when it has one, else its name with spaces ("evidence claim: There is no
claim #999999."), as history lines name fields by their verbose names.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def field_label(name: str, form: forms.BaseForm | None = None) -> str:
    """Name a field as a message does: its form label if set, else its name in words."""
    field = form.fields.get(name) if form is not None else None
    if field is not None and field.label:
        return str(field.label)
    return name.replace("_", " ")


def error_text(errors: forms.BaseForm | ValidationError | Exception, form=None) -> str:
    """One line of a form's errors, a ValidationError (by field or not) or another refusal.

    `form`: the form whose labels name the fields of a service's ValidationError.
    """
    if isinstance(errors, forms.BaseForm):
        form, by_field = errors, {name: list(e) for name, e in errors.errors.items()}
    elif isinstance(errors, ValidationError):
        if not hasattr(errors, "error_dict"):
            return " ".join(errors.messages)
        by_field = errors.message_dict
    else:
        return str(errors)
    lines = []
    for name, messages in by_field.items():
        text = " ".join(messages)
        lines.append(text if name == NON_FIELD_ERRORS else f"{field_label(name, form)}: {text}")
    return " ".join(lines)
