"""Claims in Django's admin: the verdict, credibility and assignment are saved through the
claim services (evidence rule, reasons, reviewer, version check); everything else is shown
read-only. Evidence, ratings and notes change on the claim page, never here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Claim, Corroboration, ExportRecord, Note, Rating
from workbench.admin import (
    ReadOnlyAdmin,
    ReadOnlyHistoryAdmin,
    ReadOnlyInline,
    ServiceAdmin,
    ServiceAdminForm,
)


class ClaimAdminForm(ServiceAdminForm):
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Kept in the history. Required for verified, refuted and disputed.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = ["status", "credibility", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        # A rated claim cannot be made "not rated yet" again; an unrated one may stay so.
        self.fields["credibility"].required = self.instance.credibility is not None

    def apply(self, target: Claim, *, by) -> Claim:
        """Save what changed with the services the claim page uses, one after the other."""
        data, changed = self.cleaned_data, set(self.changed_data)
        # Each field the admin edits, the service that saves it and its own arguments.
        steps = [
            (
                "status",
                services.claim_set_status,
                {"status": data["status"], "reason": data["reason"]},
            ),
            (
                "credibility",
                services.claim_set_credibility,
                {"credibility": data["credibility"], "reason": data["reason"]},
            ),
            ("assignee", services.claim_assign, {"assignee": data["assignee"]}),
        ]
        claim, version = target, data["version"]
        for field, service, arguments in steps:
            if field in changed:
                claim = _refused_as(
                    field, service, claim=claim, by=by, version=version, **arguments
                )
                version = claim.version  # the next service checks against the edit just made
        return claim


def _refused_as(field: str, service, **kwargs):
    """Call a claim service; turn its refusal into a form error on `field`."""
    try:
        return service(**kwargs)
    except services.StaleEdit as exc:
        raise ValidationError(exc.refusal) from exc
    except services.ReasonRequired as exc:
        raise ValidationError({"reason": str(exc)}) from exc
    except (services.EvidenceRequired, services.ClaimRefused, ValueError) as exc:
        raise ValidationError({field: str(exc)}) from exc


class CorroborationInline(ReadOnlyInline):
    model = Corroboration
    fk_name = "claim"
    fields = ["stance", "outlet", "url", "independence", "independence_reason", "created_by"]


class RatingInline(ReadOnlyInline):
    model = Rating
    fields = ["reviewer", "confidence", "rationale"]


class NoteInline(ReadOnlyInline):
    model = Note
    fields = ["author", "text"]


@admin.register(Claim)
class ClaimAdmin(ServiceAdmin):
    """Claims come from imports (no add) and are never deleted (history keeps pointing at them)."""

    form = ClaimAdminForm
    list_display = ["__str__", "kind", "status", "credibility", "score", "speaker", "assignee"]
    list_filter = ["status", "kind", "credibility", "article__publisher"]
    search_fields = ["text", "speaker"]
    list_select_related = ["assignee"]
    raw_id_fields = ["assignee"]
    fieldsets = [
        (None, {"fields": ["article", "text", ("start", "end"), "kind", "speaker", "score"]}),
        (
            "Verdict",
            {
                "fields": [
                    "status",
                    "reason",
                    "reviewed_by",
                    "reviewed_at",
                    "verdict_reason",
                    "credibility",
                    "assignee",
                    "version",
                ]
            },
        ),
    ]
    readonly_fields = [
        "article",
        "text",
        "start",
        "end",
        "kind",
        "speaker",
        "score",
        "reviewed_by",
        "reviewed_at",
        "verdict_reason",
    ]
    inlines = [CorroborationInline, RatingInline, NoteInline]
    show_full_result_count = False
    ordering = ["-score", "id"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Corroboration)
class CorroborationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["claim", "stance", "independence", "outlet", "url", "published_on"]
    list_filter = ["stance", "independence", "independence_overridden"]
    search_fields = ["excerpt", "outlet", "url"]
    list_select_related = ["claim"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["claim", "reviewer", "confidence", "updated_at"]
    list_filter = ["confidence"]
    search_fields = ["rationale"]
    list_select_related = ["claim", "reviewer"]


@admin.register(Note)
class NoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ["claim", "author", "created_at"]
    search_fields = ["text"]
    list_select_related = ["claim", "author"]


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    """Who exported what: read-only, it is an accountability record."""

    list_display = ["created_at", "user", "format", "claim_count", "include_notes", "origin"]
    list_filter = ["format", "origin", "include_notes"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
