"""The desk's pages: hand-outs (leads), My work, adjudication (leads), agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.models import Claim, Rating
from claims.services import ClaimRefused, EvidenceRequired, ReasonRequired, StaleEdit
from desk import services
from desk.activity import Scope, activity_page, parse_cursor
from desk.agreement_page import agreement_context
from desk.blind import ADJUDICATE_PERM
from desk.forms import AdjudicationForm, HandOutForm
from desk.models import HandOut, SavedView, SavedViewWatch
from desk.querysets import disagreements, my_work
from sources.models import Article
from workbench.errors import error_text
from workbench.http import url_for_ids
from workbench.jinja2 import render_fragment
from workbench.permissions import require_perm

MY_WORK_EMPTY = {
    "due": "Nothing due in the next days.",
    "waiting": "No other reviewer is waiting for you.",
    "assigned": "Nothing assigned to you.",
    "done": "Nothing done yet.",
}


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My work: what is assigned to me, due, waiting for me, and done."""
    work = my_work(request.user)
    detail = url_for_ids("claims:detail")  # one reverse() for the page's 200 rows
    sections = {}
    for name, empty in MY_WORK_EMPTY.items():
        rows = getattr(work, name)
        for assignment in rows:
            assignment.claim_url = detail(assignment.claim_id)
        # The rows are the page's hot loop: a Jinja2 fragment (workbench/jinja2.py).
        sections[name] = render_fragment("desk/assignments.html", {"rows": rows, "empty": empty})
    return render(request, "desk/mine.html", {"nav": "desk", "work": work, "rows": sections})


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


def _saved_views_context(user) -> dict:
    views = list(services.saved_views_visible(user).order_by("name", "id"))
    watched = set(
        SavedViewWatch.objects.filter(user=user, saved_view__in=views).values_list(
            "saved_view_id", flat=True
        )
    )
    for view in views:
        view.watched = view.pk in watched
    return {"nav": "views", "saved_views": views}


@require_GET
@login_required
@vary_on_headers("HX-Request")
def saved_views(request: HttpRequest) -> HttpResponse:
    """The saved views one may open (one's own and the shared ones); htmx gets the menu."""
    template = "desk/saved_views.html"
    if request.htmx:
        template += "#menu"
    return render(request, template, _saved_views_context(request.user))


@require_POST
@login_required
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Save the queue URL the form was on under a name; back to the queue, now named."""
    try:
        view = services.saved_view_save(
            name=request.POST.get("name", ""),
            filter=request.POST.get("filter", ""),
            shared=request.POST.get("shared") == "1",
            by=request.user,
        )
    except ValidationError as e:
        context = _saved_views_context(request.user) | {
            "error": error_text(e),
            "filter": request.POST.get("filter", ""),
            "name": request.POST.get("name", ""),
        }
        return render(request, "desk/saved_views.html", context, status=400)
    messages.success(request, f"View “{view}” saved{' and shared' if view.shared else ''}.")
    return redirect(view.get_absolute_url())


@require_POST
@login_required
def saved_view_watch(request: HttpRequest, pk: int) -> HttpResponse:
    """Watch a saved view (or stop): told when an import brings claims that match it."""
    view = get_object_or_404(services.saved_views_visible(request.user), pk=pk)
    watching = request.POST.get("watching") == "1"
    services.saved_view_watch_set(saved_view=view, by=request.user, watching=watching)
    verb = "Watching" if watching else "Stopped watching"
    messages.success(request, f"{verb} “{view}”.")
    return redirect("desk:saved_views")


@require_POST
@login_required
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one's own saved view."""
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    services.saved_view_delete(saved_view=view, by=request.user)
    messages.success(request, f"View “{view}” deleted.")
    return redirect("desk:saved_views")


@require_GET
@require_perm("claims.view_claim")
@vary_on_headers("HX-Request")
def activity(
    request: HttpRequest,
    claim: int | None = None,
    article: int | None = None,
    user: int | None = None,
) -> HttpResponse:
    """What happened, newest first, from the history records: the whole desk's, or one
    claim's, article's (with its claims') or user's; `after` walks to older pages."""
    title, back = "Desk activity", None
    if claim is not None:
        subject = get_object_or_404(Claim.objects.only("id"), pk=claim)
        title, back = f"Activity of claim #{subject.pk}", subject.get_absolute_url()
    elif article is not None:
        subject = get_object_or_404(Article.objects.only("id", "title"), pk=article)
        title = f"Activity of article #{subject.pk} and its claims"
        back = reverse("sources:article_detail", args=[subject.pk])
    elif user is not None:
        subject = get_object_or_404(get_user_model(), pk=user)
        title = f"Activity of {subject}"
    after = request.GET.get("after", "").strip()
    error = (
        "after: not a page of this feed; showing the newest."
        if after and not parse_cursor(after)
        else ""
    )
    page = activity_page(
        Scope(claim_id=claim, article_id=article, user_id=user),
        viewer=request.user,
        after="" if error else after,
    )
    context = {"nav": "desk", "title": title, "back": back, "page": page, "error": error}
    template = "desk/activity.html"
    if request.htmx and after:
        template += "#entries"
    return render(request, template, context)
