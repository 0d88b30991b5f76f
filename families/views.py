"""The family panel of a claim page: its members, and a lead's merge, split and revert.

The claim page loads the panel with htmx (`hx-trigger="load"`), so the claim page's own
queries stay what they were; opened directly, the panel URL is a page of its own.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.models import Claim
from families import services
from families.inheritance import inherited_of
from families.models import FamilyMember, FigureConflict
from workbench.errors import error_text
from workbench.http import parse_id
from workbench.permissions import require_perm


def _panel(request: HttpRequest, claim: Claim, *, status: int = 200, **extra) -> HttpResponse:
    member = FamilyMember.objects.filter(claim=claim).select_related("family").first()
    members = list(FamilyMember.objects.of_family(member.family_id)) if member else []
    history = (
        FamilyMember.history.filter(id__in=[m.pk for m in members], history_type="~")
        .select_related("history_user")
        .order_by("-history_id")[:20]
        if members
        else []
    )
    template = "families/claim_family.html" + ("#panel" if request.htmx else "")
    context = {
        "claim": claim,
        "member": member,
        "members": members,
        "outlets": sorted(
            {m.claim.article.publisher.name for m in members if m.claim.article.publisher}
        ),
        "history": history,
        "inherited": inherited_of(claim, member),
        "conflicts": list(
            FigureConflict.objects.filter(claim=claim).select_related("other__article__publisher")
        ),
        "can_change": request.user.has_perm("families.change_claimfamily"),
        **extra,
    }
    return render(request, template, context, status=status)


@require_GET
@require_perm("families.view_claimfamily")
@vary_on_headers("HX-Request")
def claim_family(request: HttpRequest, pk: int) -> HttpResponse:
    """The family of a claim: its members with their outlets, how each joined."""
    return _panel(request, get_object_or_404(Claim, pk=pk))


def _after(request: HttpRequest, claim: Claim, message: str) -> HttpResponse:
    if request.htmx:
        return _panel(request, claim, flash=message)
    return redirect("families:claim_family", pk=claim.pk)


def _refused(request: HttpRequest, claim: Claim, error: ValidationError) -> HttpResponse:
    return _panel(request, claim, status=400, error=error_text(error))


@require_POST
@require_perm("families.change_claimfamily")
def family_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Put another claim (by id) and its family into this claim's family."""
    claim = get_object_or_404(Claim, pk=pk)
    other_id = parse_id(request.POST.get("other", ""))
    other = Claim.objects.filter(pk=other_id).first() if other_id else None
    if other is None:
        error = ValidationError({"other": "Give the id of an existing claim to merge."})
        return _refused(request, claim, error)
    try:
        services.family_merge(
            claim=claim, other=other, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, claim, error)
    return _after(request, claim, f"Claim #{other.pk} merged into this family.")


@require_POST
@require_perm("families.change_claimfamily")
def family_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a member (`member`, a claim id; this claim by default) out of the family."""
    claim = get_object_or_404(Claim, pk=pk)
    target_id = parse_id(request.POST.get("member", "")) or claim.pk
    target = get_object_or_404(Claim, pk=target_id)
    try:
        services.family_split(claim=target, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _refused(request, claim, error)
    return _after(request, claim, f"Claim #{target.pk} split off into a family of its own.")


@require_POST
@require_perm("families.change_claimfamily", "claims.revert_history")
def family_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """Revert one recorded change of a membership."""
    claim = get_object_or_404(Claim, pk=pk)
    history_id = parse_id(request.POST.get("history_id", "")) or 0
    try:
        services.family_revert(
            history_id=history_id, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, claim, error)
    return _after(request, claim, f"Change #{history_id} reverted.")
