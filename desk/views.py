"""The desk's pages: hand-outs (leads), My work, adjudication (leads), agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from claims.models import Claim, Rating
from claims.services import ClaimRefused, EvidenceRequired, ReasonRequired, StaleEdit
from desk import services
from desk.agreement_page import agreement_context
from desk.blind import ADJUDICATE_PERM
from desk.forms import AdjudicationForm, HandOutForm
from desk.models import HandOut
from desk.querysets import disagreements, my_work
from workbench.errors import error_text
from workbench.permissions import require_perm


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My work: what is assigned to me, due, waiting for me, and done."""
    return render(request, "desk/mine.html", {"nav": "desk", "work": my_work(request.user)})


@require_http_methods(["GET", "POST"])
@require_perm(services.HAND_OUT_PERM)
def handouts(request: HttpRequest) -> HttpResponse:
    """The hand-outs, newest first, and the form that makes one (from a queue URL)."""
    initial = {"filter": request.GET.get("filter", "")}
    form = HandOutForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                hand_out = services.handout_create(by=request.user, **data)
            except ValidationError as e:
                for field, errors in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"{hand_out} handed out: {hand_out.claim_count} claims.")
                return redirect("desk:handouts")
        status = 400
    rows = (
        HandOut.objects.select_related("created_by")
        .annotate(
            assignments_open=Count("assignments", filter=Q(assignments__state="open")),
            assignments_total=Count("assignments"),
        )
        .order_by("-created_at", "-id")[:50]
    )
    context = {"nav": "desk", "form": form, "hand_outs": rows}
    return render(request, "desk/handouts.html", context, status=status)


@require_GET
@require_perm(ADJUDICATE_PERM)
def adjudication_list(request: HttpRequest) -> HttpResponse:
    """The claims whose reviewers disagree, for a lead to settle."""
    return render(
        request,
        "desk/adjudication_list.html",
        {"nav": "desk", "claims": list(disagreements()[:100])},
    )


@require_http_methods(["GET", "POST"])
@require_perm(ADJUDICATE_PERM)
def adjudicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone's judgement of one claim side by side, and the lead's verdict with a reason."""
    claim = get_object_or_404(Claim.objects.current().select_related("article"), pk=pk)
    form = AdjudicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.claim_adjudicate(claim=claim, by=request.user, **form.cleaned_data)
            except (EvidenceRequired, ReasonRequired, ClaimRefused, StaleEdit) as e:
                form.add_error(None, str(e))
            except ValidationError as e:
                form.add_error(None, error_text(e, form))
            else:
                messages.success(request, f"Claim #{claim.pk} adjudicated.")
                return redirect("desk:adjudication")
        status = 400
    ratings = (
        Rating.objects.filter(claim=claim).select_related("reviewer").order_by("reviewer__username")
    )
    context = {"nav": "desk", "claim": claim, "ratings": ratings, "form": form}
    return render(request, "desk/adjudicate.html", context, status=status)


@require_GET
@login_required
def agreement(request: HttpRequest) -> HttpResponse:
    """Krippendorff's alpha overall, per hand-out and per reviewer pair, with charts."""
    return render(request, "desk/agreement.html", {"nav": "desk", **agreement_context()})
