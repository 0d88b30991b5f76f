"""Exports and the claim report, from the triage queue's current filter.

`/claims/export/?<queue filters>&format=csv|jsonl|json|claimreview` streams a download
(`bom=1` for Excel, `notes=0` to leave notes out); `/claims/report/?<queue filters>` is the
printable report. `/claims/report.pdf?…` asks for the report as a PDF (POST): a small
selection is made at once, a larger one by a background worker (claims.report_jobs) while
`/claims/reports/<id>/` shows its progress and then the download link, for the user who
asked (or an admin). Every export and report is recorded as an ExportRecord (who, when,
filter, format, count, hash): a streamed export once its last byte was produced (one that
fails half way is not), a PDF once it is made.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from claims.choices import ReportJobStatus
from claims.exports import (
    FORMATS,
    SCHEMA_VERSION,
    Export,
    export_queryset,
    export_record_complete,
    export_record_create,
    filter_params,
    recorded_stream,
)
from claims.models import ReportJob
from claims.report_jobs import (
    report_job_create,
    report_job_enqueue,
    report_job_filters,
    report_job_run,
    report_worker_state,
)
from claims.reports import build_report, report_title
from claims.triage import describe_filters, parse_filters
from desk.blind import visibility_filters
from workbench.permissions import require_perm

EXPORT_PERMS = ("claims.view_claim", "claims.export_claim")


def _include_notes(request: HttpRequest) -> bool:
    return _notes_wanted(request.GET)


def _notes_wanted(params: QueryDict) -> bool:
    """`notes=0` (or no, false) leaves reviewers' notes out."""
    return params.get("notes", "1") not in ("0", "no", "false")


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d-%H%M%S")


@require_GET
@require_perm(*EXPORT_PERMS)
def claim_export(request: HttpRequest) -> HttpResponse:
    """Stream the claims of the queue's filter as a download, generated lazily."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponse(
            f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return export_response(request, request.GET, fmt=fmt, origin="web")


def export_response(
    request: HttpRequest, params: QueryDict, *, fmt: str, origin: str
) -> StreamingHttpResponse:
    """The export of the filter in `params` as a streamed download, recorded once delivered
    (the page's Export menu and the API's /api/v1/exports/)."""
    filters = parse_filters(params)
    include_notes = _notes_wanted(params)
    bom = fmt == "csv" and params.get("bom") == "1"
    export = Export(
        export_queryset(filters, request.user),
        fmt,
        include_notes=include_notes,
        bom=bom,
        base_url=request.build_absolute_uri("/").rstrip("/"),
        organisation=getattr(settings, "CLAIMREVIEW_ORGANISATION", "Claim workbench"),
        visible=visibility_filters(request.user),
    )
    stream = recorded_stream(
        export,
        user=request.user,
        fmt=fmt + ("-bom" if bom else ""),
        filters=filter_params(filters),
        include_notes=include_notes,
        origin=origin,
    )
    response = StreamingHttpResponse(stream, content_type=export.content_type)
    response["Content-Disposition"] = _attachment(f"claims-{_stamp()}.{export.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _report_context(request: HttpRequest, fmt: str) -> dict:
    filters = parse_filters(request.GET)
    include_notes = _include_notes(request)
    report = build_report(
        export_queryset(filters, request.user),
        filters=filters,
        user=request.user,
        include_notes=include_notes,
    )
    record = export_record_create(
        user=request.user,
        fmt=fmt,
        filters=filter_params(filters),
        include_notes=include_notes,
        origin="web",
    )
    export_record_complete(record, count=report.shown, content_hash=report.content_hash)
    return {
        "nav": "claims",
        "report": report,
        "filters": filters,
        "query": _report_query(filters, include_notes),
        "schema_version": SCHEMA_VERSION,
    }


def _report_query(filters, include_notes: bool) -> str:
    return (filters.querystring(o="") + ("" if include_notes else "&notes=0")).lstrip("&")


@require_GET
@require_perm(*EXPORT_PERMS)
def claim_report(request: HttpRequest) -> HttpResponse:
    """The printable claim report of the queue's filter, grouped by article."""
    return HttpResponse(
        render_to_string("claims/report.html", _report_context(request, "report"), request)
    )


@require_http_methods(["GET", "POST"])
@require_perm(*EXPORT_PERMS)
def claim_report_pdf(request: HttpRequest) -> HttpResponse:
    """Ask for the report of the queue's filter as a PDF (POST; GET shows the button).

    Up to REPORT_PDF_INLINE_CLAIMS claims it is made here and now (well under a second);
    a larger selection goes to a background worker. Either way the user lands on the job's
    page, which shows the progress and then the download link.
    """
    filters = parse_filters(request.GET)
    include_notes = _include_notes(request)
    if request.method == "GET":
        context = {
            "nav": "claims",
            "title": report_title(filters, describe_filters(filters, request.user)),
            "filters": filters,
            "query": _report_query(filters, include_notes),
        }
        return render(request, "claims/report_pdf_start.html", context)
    job = report_job_create(filters=filters, include_notes=include_notes, by=request.user)
    small = settings.REPORT_PDF_INLINE_CLAIMS
    if export_queryset(filters, request.user)[: small + 1].count() <= small:
        # A failure is written on the job (and logged): its page says what went wrong.
        with contextlib.suppress(Exception):
            report_job_run(job_id=job.pk)
    else:
        report_job_enqueue(job=job)
    return redirect(job)


def _own_job(request: HttpRequest, pk: int, *, defer_pdf: bool = True) -> ReportJob:
    """The job `pk`, if the user asked for it or is an admin; else 403 (404 if none)."""
    queryset = ReportJob.objects.select_related("user")
    job = get_object_or_404(queryset.defer("pdf") if defer_pdf else queryset, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("Only the user who asked for this report, or an admin, may see it.")
    return job


@require_GET
@require_perm(*EXPORT_PERMS)
@vary_on_headers("HX-Request")
def report_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A PDF report being made: progress (htmx polls `#report-progress`), then its link."""
    job = _own_job(request, pk)
    filters = report_job_filters(job)
    context = {
        "nav": "claims",
        "job": job,
        "title": report_title(filters, describe_filters(filters, job.user)),
        "done": job.status == ReportJobStatus.DONE,
        "finished": job.status in (ReportJobStatus.DONE, ReportJobStatus.FAILED),
        "worker_state": report_worker_state(job=job),
    }
    template = "claims/report_job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@require_GET
@require_perm(*EXPORT_PERMS)
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished PDF, for the user who asked for it (or an admin)."""
    job = _own_job(request, pk, defer_pdf=False)
    if job.status != ReportJobStatus.DONE or job.pdf is None:
        return HttpResponse(
            f"PDF report #{job.pk} is not ready: {job.get_status_display().lower()}.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = _attachment(f"claims-report-{stamp}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
