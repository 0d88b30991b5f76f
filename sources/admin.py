from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Article, ImportBatch, ImportFile, Publisher


@admin.register(Publisher)
class PublisherAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ownership", "parent", "reliability", "country"]
    list_filter = ["ownership", "reliability", "country"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_at", "byline", "language", "source_name"]
    list_filter = ["publisher", "language", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "byline", "source_name", "sha256"]
    list_select_related = ["publisher"]
    autocomplete_fields = ["publisher"]
    readonly_fields = ["text", "received_text", "encoding", "repairs", "sha256", "import_batch"]
    date_hierarchy = "published_at"
    show_full_result_count = False


class ImportFileInline(admin.TabularInline):
    model = ImportFile
    extra = 0
    can_delete = False
    readonly_fields = [
        "name",
        "size",
        "outcome",
        "reason",
        "article",
        "claims_created",
        "processed_at",
    ]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "origin", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "origin"]
    inlines = [ImportFileInline]
    readonly_fields = ["created_by", "created_at", "finished_at", "origin", "status"]


@admin.register(ImportFile)
class ImportFileAdmin(admin.ModelAdmin):
    list_display = ["name", "batch", "outcome", "claims_created", "reason"]
    list_filter = ["outcome"]
    search_fields = ["name", "reason"]
    raw_id_fields = ["batch", "article"]
