"""The desk in Django's admin: shown, never written there. A hand-out is made on the desk
(`desk.services.handout_create` shares its claims out, one assignment each) and an
adjudication by a lead's verdict (`claim_adjudicate`, through the claims' verdict rules);
a row added or changed here would skip both."""

from django.contrib import admin

from desk.models import Adjudication, HandOut
from workbench.admin import ReadOnlyHistoryAdmin


@admin.register(HandOut)
class HandOutAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "strategy", "overlap", "blind", "due_on", "claim_count")


@admin.register(Adjudication)
class AdjudicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("claim", "verdict", "by", "created_at")
