"""Boundary fixes from the claim page and the article page: split, merge, span, create, kind.

Two ways in, one answer each:

- the claim page's Boundaries panel (no `next`): like every claim-page action — the
  workspace fragment for htmx, a redirect otherwise, a refusal in the panel with 409; when
  the fix leaves another claim to look at (a merge kept the other one), that claim's page;
- the selection tools of the article page and the claim page (`next` = that page): back to
  it (`HX-Redirect` for htmx: every span on it may have moved), a refusal said in the tools
  (409, `#selection-error`).

Every refusal names the field and the reason ("at: 412 is not inside claim #5 …").
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims import boundaries, views
from claims.forms import ClaimCreateForm, KindForm, MergeForm, SpanForm, SplitForm
from claims.models import Claim, ClaimKind
from sources.models import Article
from workbench.errors import error_text
from workbench.http import safe_next
from workbench.permissions import require_perm

# A fix returns the claim to show next and what to say.
Fix = Callable[[], tuple[int, str]]


class InvalidInput(Exception):
    """The form did not validate; the message names each field and why."""


def _valid(form) -> dict:
    if not form.is_valid():
        raise InvalidInput(error_text(form))
    return form.cleaned_data


def _attempt(request: HttpRequest, page_pk: int | None, fix: Fix) -> HttpResponse:
    """Run a fix and answer for the page it came from (see the module docstring)."""
    try:
        show_pk, message = fix()
    except boundaries.StaleEdit as exc:
        return _refused(request, page_pk, exc.refusal)
    except (InvalidInput, boundaries.SpanRefused) as exc:
        return _refused(request, page_pk, f"Not saved — {exc}")
    return _done(request, page_pk, show_pk, message)


def _go(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _done(request: HttpRequest, page_pk: int | None, show_pk: int, message: str) -> HttpResponse:
    show_url = reverse("claims:detail", args=[show_pk])
    if next_url := safe_next(request, ""):
        if page_pk is not None and next_url == reverse("claims:detail", args=[page_pk]):
            next_url = show_url  # the page's claim was merged into another one
        return _go(request, next_url, message)
    if page_pk is None or show_pk != page_pk:
        return _go(request, show_url, message)
    return views._done(request, page_pk, message)


def _refused(request: HttpRequest, page_pk: int | None, message: str) -> HttpResponse:
    back = safe_next(request, "")
    if back or page_pk is None:
        page = "claims/_selection_error.html" if request.htmx else "claims/boundary_refused.html"
        return render(request, page, {"error": message, "back": back}, status=409)
    return views._refused(request, page_pk, "boundaries", message)


@require_POST
@require_perm("claims.change_claim")
def claim_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Split the claim at `at`; the second part becomes a new claim."""
    claim = get_object_or_404(Claim, pk=pk)

    def fix():
        data = _valid(SplitForm(request.POST))
        first, second = boundaries.claim_split(
            claim=claim,
            at=data["at"],
            by=request.user,
            version=data["version"],
            reason=data["reason"],
        )
        return first.pk, f"Claim #{first.pk} split: its second part is claim #{second.pk}."

    return _attempt(request, pk, fix)


@require_POST
@require_perm("claims.change_claim")
def claim_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the claim with the claim `with`, just before or after it."""
    claim = get_object_or_404(Claim, pk=pk)

    def fix():
        data = _valid(MergeForm(request.POST))
        kept = boundaries.claim_merge(
            claim=claim,
            other=data["with"],
            by=request.user,
            version=data["version"],
            other_version=data["with_version"],
            reason=data["reason"],
        )
        gone = data["with"] if kept.pk == claim.pk else claim.pk
        return kept.pk, f"Claims #{kept.pk} and #{gone} merged into claim #{kept.pk}."

    return _attempt(request, pk, fix)


@require_POST
@require_perm("claims.change_claim")
def claim_span(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the claim's span to `start`–`end` (whitespace at the ends trimmed)."""
    claim = get_object_or_404(Claim, pk=pk)

    def fix():
        data = _valid(SpanForm(request.POST))
        claim_now = boundaries.claim_set_span(
            claim=claim,
            start=data["start"],
            end=data["end"],
            by=request.user,
            version=data["version"],
            reason=data["reason"],
        )
        return claim_now.pk, f"Span of claim #{pk} set to {claim_now.start}–{claim_now.end}."

    return _attempt(request, pk, fix)


@require_POST
@require_perm("claims.change_claim")
def claim_kind(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the claim's kind (chrome leaves the queue) and speaker."""
    claim = get_object_or_404(Claim, pk=pk)

    def fix():
        data = _valid(KindForm(request.POST))
        changed = boundaries.claim_set_kind(
            claim=claim,
            kind=data["kind"],
            speaker=data["speaker"],
            by=request.user,
            version=data["version"],
            reason=data["reason"],
        )
        label = ClaimKind(changed.kind).label.lower()
        return changed.pk, f"Claim #{pk} is now a {label}."

    return _attempt(request, pk, fix)


@require_POST
@require_perm("claims.change_claim")
def claim_create(request: HttpRequest, article_id: int) -> HttpResponse:
    """Make a claim of the selected text of an article (sub-sentence claims may overlap).

    Reviewers fix the machine's segmentation: creating a claim is a change to the claims of
    an article, so it needs what every other fix needs (`claims.change_claim`).
    """
    article = get_object_or_404(Article.objects.only("id"), pk=article_id)

    def fix():
        data = _valid(ClaimCreateForm(request.POST))
        claim = boundaries.claim_create(
            article=article.pk,
            start=data["start"],
            end=data["end"],
            kind=data["kind"],
            speaker=data["speaker"],
            by=request.user,
            reason=data["reason"],
        )
        return claim.pk, f"Claim #{claim.pk} created ({claim.start}–{claim.end})."

    return _attempt(request, None, fix)
