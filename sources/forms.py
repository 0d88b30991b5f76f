from datetime import datetime, time

from django import forms
from django.utils import timezone

from sources.models import Publisher


class PublisherForm(forms.ModelForm):
    aliases = forms.CharField(
        required=False, help_text="One per line.", widget=forms.Textarea(attrs={"rows": 3})
    )
    domains = forms.CharField(
        required=False,
        help_text="One per line, e.g. globaltimes.cn.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        max_length=300, help_text="Why you are changing this (kept in history)."
    )

    class Meta:
        model = Publisher
        fields = [
            "name",
            "aliases",
            "domains",
            "country",
            "ownership",
            "parent",
            "reliability",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["aliases"] = "\n".join(self.instance.aliases or [])
            self.initial["domains"] = "\n".join(self.instance.domains or [])
        self.fields["parent"].queryset = Publisher.objects.exclude(pk=self.instance.pk)

    def _lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]

    def clean_aliases(self) -> list[str]:
        return self._lines("aliases")

    def clean_domains(self) -> list[str]:
        return [d.lower().removeprefix("www.") for d in self._lines("domains")]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if (
            parent is not None
            and self.instance.pk
            and any(p.pk == self.instance.pk for p in parent.owner_chain())
        ):
            raise forms.ValidationError("That would make the publisher its own owner.")
        return parent


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Article files",
        help_text=(
            "Select many at once: .txt page dumps, saved .html/.htm pages, .zip archives of them. "
            "A manifest.csv or manifest.jsonl at a zip's root gives its files their url, "
            "publisher, origin, published date, byline, title or language (a 'file' column "
            "names each file)."
        ),
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ".txt,.text,.html,.htm,.zip"}),
    )
    default_publisher = forms.ModelChoiceField(
        queryset=Publisher.objects.order_by("name"),
        required=False,
        label="Default publisher",
        help_text="For pages that do not name their publisher.",
    )
    default_published = forms.DateField(
        required=False,
        label="Default date",
        help_text="For pages that do not print a publication date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_default_published(self):
        """The date as midnight of that day in the site's time zone."""
        day = self.cleaned_data["default_published"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))
