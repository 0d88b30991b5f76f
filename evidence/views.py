"""The archived copy of a piece of evidence: the capture read as text, and its original bytes.

A captured page is never shown as it was served: the page shows the text extracted from it,
escaped like any other text (its scripts, styles and remote resources are not in it), and
the download sends the original bytes as an attachment that a browser will not render —
HTML goes out as application/octet-stream, with `nosniff` and a CSP that allows nothing.
Whoever may see the claim may see its evidence's archived copy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.forms import CorroborationForm
from claims.models import Claim
from claims.services import latest_publication_date
from evidence.fetching import CAPTURED_TYPES, extract, fetch
from evidence.models import Archive, Capture
from evidence.services import link_rechecked as link_rechecked_service
from evidence.services import read_body
from sources.registry import PublisherRegistry
from workbench.http import parse_id
from workbench.permissions import require_perm

# The download is bytes to keep, not a page: nothing in it may run or load anything.
DOWNLOAD_CSP = {"default-src": [CSP.NONE], "sandbox": True, "frame-ancestors": [CSP.NONE]}
# What a captured body is sent as: never a type a browser renders as a page.
DOWNLOAD_TYPES = {"html": "application/octet-stream", "text": "text/plain; charset=utf-8"}
EXTENSIONS = {"html": "html", "text": "txt", "pdf": "pdf"}


def _capture_of(request: HttpRequest, archive: Archive) -> Capture | None:
    """The capture asked for (`?capture=<id>`, one of this evidence's) or the archived copy
    (None while there is none: the capture is pending or failed)."""
    wanted = request.GET.get("capture", "")
    if not wanted:
        return archive.capture
    capture_id = parse_id(wanted)
    if capture_id is None:
        raise Http404("capture: must be the id of one of this evidence's captures.")
    return get_object_or_404(Capture, pk=capture_id, evidence_id=archive.evidence_id)


@require_GET
@require_perm("claims.view_claim")
def archive_detail(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The archived copy of a piece of evidence as text, its excerpt highlighted."""
    archive = get_object_or_404(Archive.objects.for_page(), evidence_id=evidence_id)
    capture = _capture_of(request, archive)
    text = capture.text if capture else ""
    highlighted = capture is not None and capture.pk == archive.capture_id
    start, end = (archive.excerpt_start, archive.excerpt_end) if highlighted else (0, 0)
    if not (0 <= start < end <= len(text)):
        start = end = 0
    context = {
        "nav": "claims",
        "archive": archive,
        "evidence": archive.evidence,
        "claim": archive.evidence.claim,
        "capture": capture,
        "captures": list(
            archive.evidence.captures.defer("text", "headers").order_by("-retrieved_at", "-pk")
        ),
        "before": text[:start] if end else text,
        "excerpt": text[start:end],
        "after": text[end:] if end else "",
    }
    return render(request, "evidence/archive.html", context)


@require_GET
@require_perm("claims.view_claim")
@csp_override(DOWNLOAD_CSP)
def archive_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The original bytes of a capture, as an attachment a browser keeps and does not render."""
    archive = get_object_or_404(Archive.objects.for_page(), evidence_id=evidence_id)
    capture = _capture_of(request, archive)
    if capture is None or not capture.body_name:
        raise Http404("This capture kept no body.")
    kind = CAPTURED_TYPES.get(capture.content_type, "")
    response = HttpResponse(
        read_body(capture), content_type=DOWNLOAD_TYPES.get(kind, capture.content_type)
    )
    name = f"evidence-{archive.evidence_id}-{capture.sha256[:12]}.{EXTENSIONS.get(kind, 'bin')}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["X-SHA256"] = capture.sha256
    return response


@require_POST
@require_perm("claims.change_corroboration")
def link_rechecked(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """A reviewer re-checked evidence whose source went bad: its claim's re-review flag ends."""
    archive = get_object_or_404(Archive.objects.select_related("evidence"), evidence_id=evidence_id)
    link_rechecked_service(archive=archive, by=request.user)
    messages.success(request, f"Evidence #{evidence_id} marked re-checked.")
    return redirect(reverse("claims:detail", args=[archive.evidence.claim_id]) + "#evidence")


@dataclass
class Prefill:
    """What the page at a URL offers the evidence form, and which empty fields it filled."""

    url: str
    final_url: str = ""
    title: str = ""
    site_name: str = ""
    published: str = ""
    publisher: object = None
    error: str = ""
    filled: list[str] = field(default_factory=list)


def published_date(published: str) -> datetime.date | None:
    """The date an extracted "published" (ISO 8601) says, if it is a date not in the future."""
    try:
        day = datetime.date.fromisoformat(published[:10])
    except ValueError:
        return None
    return day if day <= latest_publication_date() else None


def prefill_from(url: str, registry: PublisherRegistry) -> Prefill:
    """Fetch the page at `url` (through the outbound guard) and read what it offers the form:
    its title, outlet (the publisher from the registry, by its name or its final URL's
    domain: the publisher the independence is then judged with) and date."""
    try:
        url = forms.URLField(assume_scheme="https").clean(url)
    except forms.ValidationError:
        return Prefill(url=url, error="url: enter a valid URL")
    fetched = fetch(url)
    if fetched.error:
        return Prefill(url=url, error=fetched.error)
    extracted = extract(fetched)
    final_url = fetched.final_url or url
    return Prefill(
        url=url,
        final_url=final_url,
        title=extracted.title,
        site_name=extracted.site_name,
        published=extracted.published,
        publisher=registry.find(name=extracted.site_name, url=final_url),
        error=extracted.error,
    )


@require_GET
@require_perm("claims.add_corroboration")
@vary_on_headers("HX-Request")
def evidence_prefill(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The claim page's evidence form with what the page at `?url=` offers filled in where
    the reviewer left the field empty (htmx, on the URL field's change); opened directly,
    the claim page. What the reviewer already typed is kept."""
    claim = get_object_or_404(Claim, pk=claim_id)
    if not request.htmx:
        return redirect(reverse("claims:detail", args=[claim.pk]) + "#evidence")
    registry = PublisherRegistry.shared()
    names = CorroborationForm.base_fields
    initial = {name: request.GET.get(name, "") for name in names if request.GET.get(name)}
    prefill = prefill_from(request.GET.get("url", "").strip(), registry)
    if not prefill.error:
        offered = {
            "outlet": prefill.site_name or (prefill.publisher.name if prefill.publisher else ""),
            "publisher": prefill.publisher.pk if prefill.publisher else None,
            "published_on": published_date(prefill.published),
        }
        for name, value in offered.items():
            if value and not initial.get(name):
                initial[name] = value
                prefill.filled.append(name.replace("_", " "))
    form = CorroborationForm(
        initial=initial,
        registry=registry,
        prefill_url=reverse("evidence:prefill", args=[claim.pk]),
    )
    context = {"claim": claim, "corroboration_form": form, "prefill": prefill}
    return render(request, "claims/claim_detail.html#evidence_form", context)
