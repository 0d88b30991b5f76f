"""Hand-outs and adjudications in the admin: shown, never written there.

Both are made only by desk/services.py (`handout_create`, `claim_adjudicate`), which hand the
claims out, record the judgements and announce the events; an admin form would skip all of it.
"""

from django.contrib import admin

from desk.models import Adjudication, HandOut
from workbench.admin import ReadOnlyHistoryAdmin


@admin.register(HandOut)
class HandOutAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "strategy", "overlap", "blind", "due_on", "claim_count")


@admin.register(Adjudication)
class AdjudicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("claim", "verdict", "by", "created_at")
