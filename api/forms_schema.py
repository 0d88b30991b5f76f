"""A Django form's fields described as a DRF serializer, for the OpenAPI schema only.

The API validates its input with the web pages' own forms (claims/forms.py), so a rule is
written once and a refusal reads the same on the page and in the API. drf-spectacular
documents request bodies from serializers, not forms: `form_serializer` builds one from the
form's fields (type, required, choices, limits, help text). No library maps forms to
serializers, so this is our own: a few lines per field type.
"""

from __future__ import annotations

from functools import cache

from django import forms
from rest_framework import serializers


def _field(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if field.label:
        common["label"] = str(field.label)
    if isinstance(field, forms.FileField):
        if getattr(field.widget, "allow_multiple_selected", False):
            return serializers.ListField(child=serializers.FileField(), **common)
        return serializers.FileField(**common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, **common)
    if isinstance(field, forms.ChoiceField):
        choices = [(k, v) for k, v in field.choices if k not in ("", None)]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(max_length=field.max_length, **common)
    if isinstance(field, forms.CharField):
        return serializers.CharField(max_length=field.max_length, allow_blank=True, **common)
    raise TypeError(f"no serializer field for {type(field).__name__}")


@cache
def form_serializer(form_class: type[forms.Form], name: str) -> type[serializers.Serializer]:
    """A serializer class `name` with one field per field of `form_class`."""
    fields = {key: _field(f) for key, f in form_class.base_fields.items()}
    return type(name, (serializers.Serializer,), fields)
