"""Django's own admin for the pages bench/triage_pages.py times: the baseline of its ratios.

A `ModelAdmin` for claims with the queue's filters (status, kind, publisher, assignee,
credibility, evidence yes/no), its columns, its order (score, then id) and 50 rows a page,
and one for articles, on their own `AdminSite` — the project's admin (claims/admin.py,
sources/admin.py) can change without moving the baseline. It is what Django gives for the same
model and the same filters: a changelist that counts the filtered rows and pages with OFFSET,
a search with `icontains`, a change page with inlines.

This module is also the bench's URLconf (`ROOT_URLCONF = "bench.admin_baseline"`): the app's
URLs plus this site under /bench-admin/.
"""

from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from claims.models import Claim, Corroboration, Note, Rating
from sources.models import Article
from workbench.urls import urlpatterns as app_urlpatterns

site = admin.AdminSite(name="bench_admin")
PREFIX = "/bench-admin/"


def raw_ids(model, *, but: tuple[str, ...] = ()) -> list[str]:
    """Every foreign key of `model` as a raw id, as an admin of large tables has them: a
    <select> of every claim or article would make the baseline a straw man."""
    return [f.name for f in model._meta.fields if f.many_to_one and f.name not in but]


class EvidenceFilter(admin.SimpleListFilter):
    """The queue's evidence=yes|no."""

    title = "evidence"
    parameter_name = "evidence"

    def lookups(self, request, model_admin):
        return [("yes", "With evidence"), ("no", "Without evidence")]

    def queryset(self, request, queryset):
        evidence = Corroboration.objects.filter(claim_id=OuterRef("pk"))
        if self.value() == "yes":
            return queryset.filter(Exists(evidence))
        if self.value() == "no":
            return queryset.filter(~Exists(evidence))
        return queryset


class CorroborationInline(admin.StackedInline):
    model = Corroboration
    fk_name = "claim"
    extra = 0
    raw_id_fields = raw_ids(Corroboration, but=("claim",))


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    raw_id_fields = raw_ids(Rating, but=("claim",))


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    raw_id_fields = raw_ids(Note, but=("claim",))


class BaselineClaimAdmin(SimpleHistoryAdmin):
    """The triage queue as a changelist; the claim page as a change page."""

    list_display = [
        "text",
        "article__title",
        "article__publisher__name",
        "kind",
        "status",
        "credibility",
        "score",
        "assignee",
        "evidence_count",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        "credibility",
        "article__publisher",
        "assignee",
        EvidenceFilter,
    ]
    search_fields = ["text"]
    list_select_related = ["article__publisher", "assignee"]
    list_per_page = 50  # the queue's page
    ordering = ["-score", "-id"]  # the queue's default order
    show_full_result_count = False  # as claims/admin.py: one COUNT, not two
    readonly_fields = ["article", "start", "end", "text", "version"]
    raw_id_fields = raw_ids(Claim, but=("article",))
    inlines = [CorroborationInline, RatingInline, NoteInline]

    def get_queryset(self, request):
        # The queue's claims (no page chrome) with its evidence count.
        count = (
            Corroboration.objects.filter(claim_id=OuterRef("pk"))
            .order_by()
            .values("claim_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .exclude(kind="chrome")
            .annotate(evidence_count=Subquery(count, output_field=IntegerField()))
        )

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, claim):
        return claim.evidence_count or 0


class BaselineArticleAdmin(SimpleHistoryAdmin):
    """The article page as a change page (as sources/admin.py, foreign keys as raw ids)."""

    list_display = ["title", "publisher", "published_at", "byline", "language", "source_name"]
    readonly_fields = ["text", "received_text", "encoding", "repairs", "sha256", "import_batch"]
    raw_id_fields = raw_ids(Article, but=("import_batch",))


site.register(Claim, BaselineClaimAdmin)
site.register(Article, BaselineArticleAdmin)


def column(name: str) -> int:
    """The changelist's `o=` index (1-based) of a list_display column."""
    return BaselineClaimAdmin.list_display.index(name) + 1


urlpatterns = [path(PREFIX.strip("/") + "/", site.urls), *app_urlpatterns]
