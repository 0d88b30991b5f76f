"""Exports and the verified-claim report, from the triage queue's current filter.

`/claims/export/?<queue filters>&format=csv|jsonl|json|claimreview` streams a download
(`bom=1` for Excel, `notes=0` to leave notes out); `/claims/report/?<queue filters>` is the
printable report and `/claims/report.pdf?…` the same page rendered by WeasyPrint. Every
export and report is recorded as an ExportRecord (who, when, filter, format, count, hash);
a streamed export once its last byte was produced (one that fails half way is not).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

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
from claims.reports import build_report
from claims.triage import parse_filters
from workbench.permissions import require_perm

EXPORT_PERMS = ("claims.view_claim", "claims.export_claim")
# Given to WeasyPrint directly (the PDF template links no stylesheet).
PDF_STYLESHEETS = ("css/statuses.css", "css/report.css")


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
    query = filters.querystring(o="") + ("" if include_notes else "&notes=0")
    return {
        "nav": "claims",
        "report": report,
        "filters": filters,
        "query": query.lstrip("&"),
        "schema_version": SCHEMA_VERSION,
    }


@require_GET
@require_perm(*EXPORT_PERMS)
def claim_report(request: HttpRequest) -> HttpResponse:
    """The printable verified-claim report of the queue's filter, grouped by article."""
    return HttpResponse(
        render_to_string("claims/report.html", _report_context(request, "report"), request)
    )


@require_GET
@require_perm(*EXPORT_PERMS)
def claim_report_pdf(request: HttpRequest) -> HttpResponse:
    """The report as a PDF, rendered from the same HTML and print stylesheet by WeasyPrint."""
    import weasyprint  # heavy: loaded only when a PDF is asked for

    class NoFetching(weasyprint.urls.URLFetcher):
        """Load nothing: the stylesheet is handed over below, and links are never followed."""

        def fetch(self, url, headers=None):
            raise ValueError(f"The PDF report loads nothing from outside: {url}")

    context = _report_context(request, "pdf") | {"pdf": True}
    html = render_to_string("claims/report.html", context, request)
    stylesheets = [weasyprint.CSS(filename=finders.find(name)) for name in PDF_STYLESHEETS]
    pdf = weasyprint.HTML(string=html, url_fetcher=NoFetching()).write_pdf(stylesheets=stylesheets)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(f"claims-report-{_stamp()}.pdf")
    return response
