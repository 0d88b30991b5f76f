"""The desk in Django's admin: read-only. Hand-outs are made and adjudications set through the
desk's services (the verdict service, its evidence rules and history), never here."""

from django.contrib import admin

from desk.models import Adjudication, HandOut
from workbench.admin import ReadOnlyHistoryAdmin


@admin.register(HandOut)
class HandOutAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "strategy", "overlap", "blind", "due_on", "claim_count")


@admin.register(Adjudication)
class AdjudicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("claim", "verdict", "by", "created_at")
