"""The upload form: article files (zips too) and the defaults for pages that say nothing."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from imports.uploads import IMPORT_SUFFIXES
from sources.ingest.manifest import Manifest, ManifestError, parse_manifest
from sources.models import Publisher
from sources.widgets import PublisherSelect

# A manifest is one line a file: a few MB describe many thousand files.
MANIFEST_MAX_BYTES = 5 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files, at least one when required. An empty file is let through: the import
    refuses it alone, by name (imports/uploads.py), rather than the form the whole upload."""

    default_error_messages = {"required": "Choose at least one file to import."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = list(data) if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [single(d, initial) for d in files]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Article files",
        help_text=(
            "Select many at once: .txt page dumps, saved .html/.htm pages, .zip archives of them. "
            "A manifest.csv or manifest.jsonl at a zip's root gives its files their url, "
            "publisher, origin, published date, byline, title or language (a 'file' column "
            "names each file)."
        ),
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ",".join(IMPORT_SUFFIXES)}),
    )
    default_publisher = forms.ModelChoiceField(
        queryset=Publisher.objects.order_by("name"),
        required=False,
        label="Default publisher",
        widget=PublisherSelect,
        help_text="For pages that do not name their publisher.",
    )
    default_published = forms.DateField(
        required=False,
        label="Default date",
        help_text="For pages that do not print a publication date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    manifest = forms.FileField(
        required=False,
        label="Manifest",
        help_text="Optional: a manifest.csv or manifest.jsonl for the files uploaded beside it "
        "(its 'file' column names each file; a zip's own manifest wins for its entries).",
    )

    def clean_manifest(self) -> Manifest | None:
        """The uploaded manifest, read and checked; one that cannot be read refuses the upload
        (nothing is imported with metadata half applied)."""
        upload = self.cleaned_data.get("manifest")
        if upload is None:
            return None
        if upload.size > MANIFEST_MAX_BYTES:
            limit = MANIFEST_MAX_BYTES // 1024 // 1024
            raise forms.ValidationError(f"{upload.name}: at most {limit} MB ({upload.size} bytes).")
        try:
            return parse_manifest(upload.read(), name=upload.name)
        except ManifestError as exc:
            raise forms.ValidationError(exc.reason) from exc

    def clean_default_published(self):
        """The date as midnight of that day in the site's time zone."""
        day = self.cleaned_data["default_published"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))
