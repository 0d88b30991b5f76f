from django import forms
from django.utils import timezone

from sources.ingest.manifest import manifest_date, value_problem
from sources.models import Publisher
from sources.services import ARTICLE_EDIT_FIELDS
from sources.widgets import PublisherSelect


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
    # The latest history record the editor saw (sources.services.publisher_update).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Publisher
        fields = [
            "name",
            "kind",
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
            if "version" not in self.initial:  # the page passes it from its timeline
                latest = self.instance.history.order_by("-history_id").values_list("history_id")
                self.initial["version"] = next(iter(latest[:1]), (None,))[0]
        self.fields["parent"].queryset = Publisher.objects.exclude(pk=self.instance.pk)
        # Left out, the kind stays what it is (an outlet for a new publisher).
        self.fields["kind"].required = False
        self.fields["country"].help_text = "As the registry spells it: China, South Korea …"

    def _lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]

    def clean_aliases(self) -> list[str]:
        return self._lines("aliases")

    def clean_domains(self) -> list[str]:
        # Checked and normalised by the service (sources.services._check_registry_entry).
        return self._lines("domains")

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or self.instance.kind

    def service_fields(self) -> dict:
        """The registry entry's fields, as sources.services.publisher_create/_update take them."""
        return {k: v for k, v in self.cleaned_data.items() if k not in {"reason", "version"}}


class ArticleForm(forms.Form):
    """An article's metadata as a lead corrects it (sources.services.article_update)."""

    title = forms.CharField(required=False, max_length=1000)
    publisher = forms.ModelChoiceField(
        queryset=Publisher.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="(none: unknown)",
        widget=PublisherSelect,
        help_text="Who put the page online.",
    )
    new_publisher = forms.CharField(
        required=False,
        max_length=200,
        label="…or a new publisher",
        help_text="Not in the registry? Type its name: it is added (new — not reviewed) and set.",
    )
    origin = forms.ModelChoiceField(
        queryset=Publisher.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="(none: its own reporting)",
        widget=PublisherSelect,
        help_text="Whose text it is (the agency of a wire copy).",
    )
    url = forms.CharField(required=False, max_length=2000, label="URL")
    published = forms.CharField(
        required=False,
        max_length=200,
        help_text="e.g. 2024-03-05 14:30 or 5 March 2024 (the site's time zone); empty: unknown.",
    )
    byline = forms.CharField(required=False, max_length=500)
    language = forms.CharField(required=False, max_length=16, help_text="e.g. en, ko, pt-BR.")
    reason = forms.CharField(
        max_length=300, help_text="Why you are correcting this (kept in history)."
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_published(self):
        value = " ".join(self.cleaned_data["published"].split())
        if not value:
            return None
        if problem := value_problem("published", value):
            raise forms.ValidationError(problem)
        return manifest_date(value)

    def service_fields(self, posted) -> dict:
        """The fields the request posted, for article_update: a field left out stays as is."""
        return {
            name: self.cleaned_data[name]
            for name in ARTICLE_EDIT_FIELDS
            if name in posted and name in self.cleaned_data
        }

    @classmethod
    def initial_for(cls, article, *, version: int | None) -> dict:
        published = article.published_at
        return {
            "title": article.title,
            "publisher": article.publisher_id,
            "origin": article.origin_id,
            "url": article.url,
            "published": timezone.localtime(published).strftime("%Y-%m-%d %H:%M")
            if published
            else "",
            "byline": article.byline,
            "language": article.language,
            "version": version,
        }
