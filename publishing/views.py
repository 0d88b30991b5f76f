"""The fact-check panel of the claim page (htmx) and the public page of a published fact-check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.models import Claim
from publishing import services
from publishing.claimreview import fact_check_claimreview, ld_json_script
from publishing.models import RATING_CHOICES, FactCheck, FactCheckState
from workbench.permissions import require_perm


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _panel(request: HttpRequest, claim: Claim, *, errors=None, status: int = 200) -> HttpResponse:
    fact_check = FactCheck.objects.select_related("author", "signed_off_by").filter(claim=claim)
    fact_check = fact_check.first()
    user = request.user
    can_publish = user.has_perm(services.PUBLISH_PERMISSION)
    context = {
        "claim": claim,
        "fact_check": fact_check,
        "ratings": RATING_CHOICES,
        "errors": errors or {},
        "can_draft": user.has_perm(services.DRAFT_PERMISSION)
        and (fact_check is None or not fact_check.is_published),
        "can_sign_off": can_publish
        and fact_check is not None
        and fact_check.state == FactCheckState.DRAFT
        and user.pk not in services.draft_authors(fact_check),
        "can_unpublish": can_publish and fact_check is not None and fact_check.is_published,
    }
    template = "publishing/fact_check.html"
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


def _refused(error: ValidationError | PermissionDenied) -> dict[str, str]:
    if isinstance(error, PermissionDenied):
        return {"state": str(error)}
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


@require_GET
@require_perm("claims.view_claim")
@vary_on_headers("HX-Request")
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim's fact-check: its state, and what this user may do with it."""
    return _panel(request, get_object_or_404(Claim, pk=pk))


@require_POST
@require_perm(services.DRAFT_PERMISSION)
@vary_on_headers("HX-Request")
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        services.factcheck_draft(
            claim=claim,
            by=request.user,
            rating=request.POST.get("rating", ""),
            review_body=request.POST.get("review_body", ""),
            show_reviewers=request.POST.get("show_reviewers") == "on",
            version=_version(request),
        )
    except ValidationError as error:
        return _panel(request, claim, errors=_refused(error), status=409)
    return _panel(request, claim)


@require_POST
@require_perm(services.PUBLISH_PERMISSION)
@vary_on_headers("HX-Request")
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    fact_check = get_object_or_404(FactCheck, claim_id=pk)
    try:
        services.factcheck_sign_off(
            fact_check=fact_check, by=request.user, version=_version(request)
        )
    except (ValidationError, PermissionDenied) as error:
        return _panel(request, fact_check.claim, errors=_refused(error), status=409)
    return _panel(request, fact_check.claim)


@require_POST
@require_perm(services.PUBLISH_PERMISSION)
@vary_on_headers("HX-Request")
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    fact_check = get_object_or_404(FactCheck, claim_id=pk)
    try:
        services.factcheck_unpublish(
            fact_check=fact_check,
            by=request.user,
            reason=request.POST.get("reason", ""),
            version=_version(request),
        )
    except (ValidationError, PermissionDenied) as error:
        return _panel(request, fact_check.claim, errors=_refused(error), status=409)
    return _panel(request, fact_check.claim)


@require_GET
def public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page of a claim's fact-check: no login, published content only.

    An unpublished fact-check answers 410 Gone (its address stays the claim's); a claim
    without a published one, 404.
    """
    fact_check = FactCheck.objects.for_public_page().filter(claim_id=pk).first()
    if fact_check is None:
        if FactCheck.objects.filter(claim_id=pk, state=FactCheckState.UNPUBLISHED).exists():
            return render(request, "publishing/withdrawn.html", status=410)
        raise Http404("No published fact-check of this claim.")
    base_url = request.build_absolute_uri("/").rstrip("/")
    review = fact_check_claimreview(fact_check, base_url=base_url)
    context = {
        "fact_check": fact_check,
        "claim": fact_check.claim,
        "article": fact_check.claim.article,
        # Linked only when it is a web address (never a javascript: URL).
        "article_url": url
        if (url := fact_check.claim.article.url or "").startswith(("https://", "http://"))
        else "",
        "review": review,
        "jsonld": ld_json_script(review),
    }
    return render(request, "publishing/public.html", context)
