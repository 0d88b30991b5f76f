from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from desk.models import Adjudication, HandOut


@admin.register(HandOut)
class HandOutAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "strategy", "overlap", "blind", "due_on", "claim_count")
    readonly_fields = ("claim_count", "created_by")


@admin.register(Adjudication)
class AdjudicationAdmin(SimpleHistoryAdmin):
    list_display = ("claim", "verdict", "by", "created_at")
    readonly_fields = ("claim", "verdict", "reason", "judgements", "by")
