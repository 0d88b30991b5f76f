from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.models import Claim, Corroboration, ExportRecord, Note, Rating


class CorroborationInline(admin.StackedInline):
    model = Corroboration
    fk_name = "claim"
    extra = 0
    raw_id_fields = ["evidence_claim", "publisher", "created_by"]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    raw_id_fields = ["reviewer"]


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "status", "credibility", "score", "speaker", "assignee"]
    list_filter = ["status", "kind", "credibility", "article__publisher"]
    search_fields = ["text", "speaker"]
    list_select_related = ["assignee"]
    raw_id_fields = ["article", "assignee", "reviewed_by"]
    readonly_fields = ["article", "start", "end", "text", "version"]
    inlines = [CorroborationInline, RatingInline, NoteInline]
    show_full_result_count = False
    ordering = ["-score", "id"]


@admin.register(Corroboration)
class CorroborationAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "stance", "independence", "outlet", "url", "published_on"]
    list_filter = ["stance", "independence", "independence_overridden"]
    search_fields = ["excerpt", "outlet", "url"]
    raw_id_fields = ["claim", "evidence_claim", "publisher", "created_by"]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "reviewer", "confidence", "updated_at"]
    list_filter = ["confidence"]
    search_fields = ["rationale"]
    raw_id_fields = ["claim", "reviewer"]


@admin.register(Note)
class NoteAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "author", "created_at"]
    search_fields = ["text"]
    raw_id_fields = ["claim", "author"]


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Who exported what: read-only, it is an accountability record."""

    list_display = ["created_at", "user", "format", "claim_count", "include_notes", "origin"]
    list_filter = ["format", "origin", "include_notes"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
