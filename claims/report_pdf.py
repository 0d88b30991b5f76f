"""The report as a PDF: its print template laid out by WeasyPrint, which fetches nothing.

The PDF has its own template (templates/claims/report_pdf.html) and stylesheet
(static/css/report_pdf.css) over the same `Report` as the HTML page. The page's layout —
tables, grids, flex boxes, inline badges, a change log per claim — took WeasyPrint 230 s for
1,000 claims; the PDF's is flat blocks with little inline markup, so the same claims are
laid out in seconds (bench/report_pdf.py measures it). Only background tasks call this for
large selections (claims.report_jobs): never a request that can time out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from claims.exports import SCHEMA_VERSION
from claims.reports import Report

PDF_TEMPLATE = "claims/report_pdf.html"
# Given to WeasyPrint directly (the template links no stylesheet): the status colours, then
# the PDF's own layout.
PDF_STYLESHEETS = ("css/statuses.css", "css/report_pdf.css")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def report_html(report: Report) -> str:
    """The print template of `report`, as WeasyPrint is given it."""
    return render_to_string(PDF_TEMPLATE, {"report": report, "schema_version": SCHEMA_VERSION})


def report_document(report: Report):
    """Lay the report out: a WeasyPrint Document (pages and boxes), not yet a PDF."""
    import weasyprint  # heavy: loaded only when a PDF is made

    class NoFetching(weasyprint.urls.URLFetcher):
        """Load nothing: the stylesheets are handed over below, and links are never followed."""

        def fetch(self, url, headers=None):
            raise ValueError(f"The PDF report loads nothing from outside: {url}")

    stylesheets = [weasyprint.CSS(filename=finders.find(name)) for name in PDF_STYLESHEETS]
    html = weasyprint.HTML(string=report_html(report), url_fetcher=NoFetching())
    return html.render(stylesheets=stylesheets)


def report_pdf(report: Report, *, stage: Callable[[str, int], None] | None = None) -> RenderedPdf:
    """Render the report as PDF bytes; `stage(what, percent)` is told as it goes."""
    stage = stage or (lambda what, percent: None)
    stage("Laying out the pages", 30)
    document = report_document(report)
    stage(f"Writing {len(document.pages)} pages", 80)
    return RenderedPdf(document.write_pdf(), len(document.pages))
