"""The import pages: upload files as a batch, watch it, resume it, list batches, its report."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.exports.schema import neutralise
from imports.forms import ImportForm
from imports.progress import import_batch_progress, import_worker_report
from imports.tasks import import_batch_resume
from imports.uploads import import_batch_create_from_uploads
from imports.workers import import_workers_recover
from sources.models import ImportBatch, ImportFile, ImportOutcome
from workbench.http import parse_id
from workbench.paging import Keyset
from workbench.permissions import require_perm


@require_http_methods(["GET", "POST"])
@require_perm("sources.import_articles")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload article files (zips too) as a batch that workers import in the background."""
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            batch = import_batch_create_from_uploads(
                files=form.cleaned_data["files"],
                by=request.user,
                default_publisher=form.cleaned_data["default_publisher"],
                default_published=form.cleaned_data["default_published"],
                manifest=form.cleaned_data["manifest"],
            )
            return redirect("imports:batch", pk=batch.pk)
    recent = ImportBatch.objects.select_related("created_by").order_by("-id")[:5]
    context = {"nav": "import", "form": form, "recent": recent}
    return render(request, "imports/upload.html", context)


IMPORT_FILES_PAGE = 200
OLDEST_FIRST = Keyset(descending=False)  # a batch's files by id: `?after=<id>`


@require_GET
@require_perm("sources.import_articles")
@vary_on_headers("HX-Request")
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch: progress while workers import it (htmx polls `#progress`), then every file.

    The file table is paged by id (`?after=`) and filtered by `?outcome=`.
    """
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    progress = import_batch_progress(batch=batch)
    outcome = request.GET.get("outcome", "")
    if outcome not in ImportOutcome.values:
        outcome = ""
    files: list[ImportFile] = []
    next_after = None
    if progress.finished:
        qs = (
            ImportFile.objects.filter(batch=batch)
            .select_related("article", "duplicate_of")
            .only(
                "id", "name", "size", "outcome", "reason", "claims_created",
                "article__id", "article__title", "duplicate_of__id", "duplicate_of__title",
            )
        )  # fmt: skip
        if outcome:
            qs = qs.filter(outcome=outcome)
        after = parse_id(request.GET.get("after", ""))
        page = OLDEST_FIRST.page(qs, (after,) if after else None, size=IMPORT_FILES_PAGE)
        files, next_after = page.rows, page.next_start[0] if page.next_start else None
    worker = import_worker_report(batch=batch, progress=progress)
    context = {
        "nav": "import",
        "batch": batch,
        "progress": progress,
        "worker": worker,
        "worker_state": worker.state,
        "files": files,
        "outcome": outcome,
        "outcomes": ImportOutcome.choices,
        "next_after": next_after,
    }
    template = "imports/batch.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@require_POST
@require_perm("sources.import_articles")
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Release a stalled batch's claims and enqueue it again (dead workers' tasks ended first)."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    import_workers_recover()
    pending = import_batch_resume(batch_id=batch.pk)
    messages.success(
        request, f"Resumed import #{batch.pk}: {pending} file{pluralize(pending)} to go."
    )
    return redirect("imports:batch", pk=batch.pk)


IMPORT_HISTORY_PAGE = 50  # newest first (workbench/paging.py)


@require_GET
@require_perm("sources.import_articles")
def import_history(request: HttpRequest) -> HttpResponse:
    """Every batch, newest first, with who, when and its files by outcome (`?before=<id>`)."""
    counts = {
        value: Count("files", filter=Q(files__outcome=value)) for value in ImportOutcome.values
    }
    qs = ImportBatch.objects.select_related("created_by").annotate(
        total=Count("files"), claims=Sum("files__claims_created"), **counts
    )
    before = parse_id(request.GET.get("before", ""))
    page = Keyset().page(qs, (before,) if before else None, size=IMPORT_HISTORY_PAGE)
    context = {
        "nav": "import",
        "batches": page.rows,
        "next_before": page.next_start[0] if page.next_start else None,
    }
    return render(request, "imports/history.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@require_perm("sources.import_articles")
def import_report(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The batch as CSV: file, outcome, reason, article id, claims — streamed row by row."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    rows = (
        ImportFile.objects.filter(batch=batch)
        .order_by("id")
        .values_list("name", "outcome", "reason", "article_id", "claims_created")
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["file", "outcome", "reason", "article_id", "claims"])
        for name, outcome, reason, article_id, claims in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [neutralise(name), outcome, neutralise(reason), article_id or "", claims]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.csv"'
    return response
