"""Sources in Django's admin: publishers are saved through `publisher_update` with the
publisher page's form (a reason, no ownership cycle, hand-set fields locked); articles and
imports are shown read-only (articles come from imports; their metadata is edited on the
article page)."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from claims.services import StaleEdit
from sources import services
from sources.forms import PublisherForm
from sources.models import Article, ImportBatch, ImportFile, Publisher
from workbench.admin import (
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    ServiceAdmin,
    ServiceAdminForm,
)


class PublisherAdminForm(ServiceAdminForm, PublisherForm):
    """The publisher page's form, with the registry fields only the admin shows."""

    class Meta(PublisherForm.Meta):
        fields = [*PublisherForm.Meta.fields, "typology", "facts_source", "reviewed"]

    def apply(self, target: Publisher, *, by) -> Publisher:
        data = dict(self.cleaned_data)
        reason, version = data.pop("reason"), data.pop("version", None)
        if target.pk is None:
            return services.publisher_create(by=by, reason=reason, **data)
        try:
            return services.publisher_update(
                publisher=target, by=by, reason=reason, version=version, **data
            )
        except StaleEdit as exc:
            raise ValidationError(exc.refusal) from exc


@admin.register(Publisher)
class PublisherAdmin(ServiceAdmin):
    """Added and changed through `publisher_update`; never deleted (evidence points at it)."""

    form = PublisherAdminForm
    list_display = ["name", "ownership", "parent", "reliability", "country"]
    list_filter = ["ownership", "reliability", "country"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    fields = [*PublisherAdminForm.Meta.fields, "reason", "version", "locked_fields"]
    readonly_fields = ["locked_fields"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "publisher", "published_at", "byline", "language", "source_name"]
    list_filter = ["publisher", "language", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "byline", "source_name", "sha256"]
    list_select_related = ["publisher"]
    date_hierarchy = "published_at"
    show_full_result_count = False


class ImportFileInline(ReadOnlyInline):
    model = ImportFile
    fields = ["name", "size", "outcome", "reason", "article", "claims_created", "processed_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "origin", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "origin"]
    inlines = [ImportFileInline]


@admin.register(ImportFile)
class ImportFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "batch", "outcome", "claims_created", "reason"]
    list_filter = ["outcome"]
    search_fields = ["name", "reason"]
    list_select_related = ["batch"]
