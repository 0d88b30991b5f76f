"""Reviewer views: the triage queue and the claim page, htmx-first, every view a plain URL."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from claims import boundaries, services
from claims.choices import CREDIBILITY_LABELS, KIND_LABELS, NOT_RATED_LABEL, STATUS_LABELS
from claims.claim_page import (
    CLAIM_CHANGED,
    EVIDENCE_CHANGED,
    NOTES_CHANGED,
    PANELS,
    RATINGS_CHANGED,
    ClaimPage,
    reviewers,
    whole_page_panels,
)
from claims.exports.formats import CLAIMREVIEW_STATUSES
from claims.forms import (
    AssignForm,
    CorroborationEditForm,
    CorroborationForm,
    CorroborationRemoveForm,
    CredibilityForm,
    NoteEditForm,
    NoteForm,
    RatingForm,
    RevertForm,
    StatusForm,
)
from claims.history import history_model
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Corroboration,
    Credibility,
    Note,
    Stance,
)
from claims.triage import (
    NOT_RATED,
    ORDERINGS,
    RELEVANCE,
    column_sorts,
    describe_filters,
    family_outlets,
    parse_filters,
    triage_page,
)
from families.inheritance import has_verdict
from families.models import FamilyMember
from sources.registry import PublisherRegistry
from workbench.errors import error_text
from workbench.http import parse_id, safe_next, url_for_ids
from workbench.jinja2 import render_fragment
from workbench.permissions import require_perm


def refuse_if_retired(view):
    """Refuse (409) every change to a retired claim: its page and history stay readable, but
    its work goes on at the claim it was merged into."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        retired = Claim.objects.filter(pk=pk, retired=True).order_by()
        retired = retired.values_list("merged_into", flat=True)
        for merged_into in retired:
            message = services.retired_refusal(pk, merged_into)
            if request.htmx:
                return HttpResponse(message, status=409)
            messages.error(request, message)
            return redirect("claims:detail", pk=pk)
        return view(request, pk, *args, **kwargs)

    return wrapper


QUEUE_ROW_LINKS = ("claims:detail", "claims:take", "claims:quick_status")


@require_GET
@require_perm("claims.view_claim")
@vary_on_headers("HX-Request")
def claim_list(request: HttpRequest) -> HttpResponse:
    """The triage queue; an htmx request gets only the table fragment."""
    filters = parse_filters(request.GET)
    page = triage_page(filters, request.user)
    # Each row's links from one reverse() a link (a page has 50 rows, 3 links each).
    detail, take, quick_status = map(url_for_ids, QUEUE_ROW_LINKS)
    for claim in page.rows:
        claim.url, claim.take_url = detail(claim.pk), take(claim.pk)
        claim.status_url = quick_status(claim.pk)
        claim.outlets = family_outlets(claim.family_outlets)
        # The family's verdict, unless this claim has its own (families/inheritance.py).
        claim.checked = claim.checked_by and not has_verdict(claim.status)
        claim.checked_url = detail(claim.checked_by) if claim.checked else ""
    label = "Best match first" if filters.o == RELEVANCE else ORDERINGS[filters.o][0]
    context = {
        "nav": "claims",
        "filters": filters,
        "page": page,
        # The rows are the page's hot loop: a Jinja2 fragment (workbench/jinja2.py).
        "rows_html": render_fragment("claims/queue_rows.html", queue_rows_context(page.rows)),
        "ordering_label": label,
        "reviewers": reviewers(),
        "statuses": ClaimStatus.choices,
        "kinds": [c for c in ClaimKind.choices if c[0] != ClaimKind.CHROME],
        "credibilities": [*Credibility.choices, (NOT_RATED, NOT_RATED_LABEL)],
        "orderings": [(key, value[0]) for key, value in ORDERINGS.items()],
        "sorts": column_sorts(filters),
        "described": describe_filters(filters, request.user),
        # ClaimReview publishes verdicts only: the menu says so when the filter has none.
        "publishes_claimreview": bool(set(filters.statuses) & set(CLAIMREVIEW_STATUSES)),
        "claimreview_qs": filters.querystring(status=list(CLAIMREVIEW_STATUSES)),
        "publisher_options": PublisherRegistry.shared().options_html(filters.publisher),
    }
    template = "claims/claim_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#queue"
    return render(request, template, context)


def queue_rows_context(rows) -> dict:
    """What the queue's rows fragment reads: the rows and the labels of their choices."""
    return {
        "rows": rows,
        "kinds": KIND_LABELS,
        "statuses": STATUS_LABELS,
        "credibilities": CREDIBILITY_LABELS,
        "not_rated": NOT_RATED_LABEL,
    }


@require_POST
@require_perm("claims.change_claim")
def claim_bulk(request: HttpRequest) -> HttpResponse:
    """Assign or set the status of the selected claims; report each claim's outcome."""
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None]
    # A row of a family stands for all its members.
    ids = FamilyMember.objects.with_families(ids) if ids else ids
    action = request.POST.get("action")
    if not ids:
        results, error = [], "Select at least one claim first."
    elif action == "assign":
        if not request.user.has_perm("claims.assign_claim"):
            raise PermissionDenied("Only leads can assign claims to others.")
        assignee_id = parse_id(request.POST.get("assignee", ""))
        assignee = get_object_or_404(get_user_model(), pk=assignee_id) if assignee_id else None
        results = services.claims_bulk_assign(claim_ids=ids, assignee=assignee, by=request.user)
        error = ""
    elif action == "status":
        status = request.POST.get("status", "")
        if status not in ClaimStatus.values:
            results, error = [], f"Unknown status {status!r}."
        else:
            results = services.claims_bulk_set_status(
                claim_ids=ids, status=status, reason=request.POST.get("reason", ""), by=request.user
            )
            error = ""
    else:
        results, error = [], "Choose an action."
    context = {"results": results, "error": error, "next": safe_next(request, "/claims/")}
    if request.htmx:
        return render(request, "claims/bulk_results.html", context)
    return render(request, "claims/bulk_results_page.html", context)


@require_POST
@require_perm("claims.change_claim")
@refuse_if_retired
def claim_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a claim to the requesting reviewer (the queue's `a` key).

    Refused (409, saying why) for chrome, and for a claim assigned to someone else unless
    a lead takes it (services.assignment_refusal).
    """
    claim = get_object_or_404(Claim, pk=pk)
    # A row of a family stands for all its members: each is checked as one claim would be
    # (claims_bulk_assign); the refusal answered is this claim's own.
    results = services.claims_bulk_assign(
        claim_ids=FamilyMember.objects.with_families([claim.pk]),
        assignee=request.user,
        by=request.user,
    )
    if not results[0].ok:
        if request.htmx:
            return HttpResponse(results[0].message, status=409)
        messages.error(request, results[0].message)
        return redirect(safe_next(request, reverse("claims:list")))
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Trigger": "claims-changed"})
    return redirect(safe_next(request, reverse("claims:list")))


@require_POST
@require_perm("claims.change_claim")
@refuse_if_retired
def claim_quick_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a status that needs no evidence or reason from the queue's keyboard shortcuts."""
    claim = get_object_or_404(Claim, pk=pk)
    status = request.POST.get("status", "")
    if status not in (
        ClaimStatus.IN_REVIEW,
        ClaimStatus.UNVERIFIABLE,
        ClaimStatus.NOT_A_CLAIM,
        ClaimStatus.UNREVIEWED,
    ):
        return HttpResponse("This status needs the claim page (evidence and a reason).", status=400)
    try:
        services.claim_set_status(
            claim=claim,
            status=status,
            reason=request.POST.get("reason", ""),
            by=request.user,
            version=None,
        )
    except (services.EvidenceRequired, services.ReasonRequired, services.ClaimRefused) as exc:
        return HttpResponse(str(exc), status=409)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Trigger": "claims-changed"})
    return redirect(safe_next(request, reverse("claims:list")))


# --- The claim page ----------------------------------------------------------------------------

# The panel that says why each kind of action was refused (`errors[key]`); a refused boundary
# fix or revert is said in the workspace it answers with.
REFUSAL_PANELS = {
    "status": "verdict",
    "credibility": "verdict",
    "assign": "verdict",
    "corroboration": "evidence",
    "rating": "ratings",
    "notes": "notes",
}


WORKSPACE = "workspace"  # the partial of every panel


def _claim_for_page(pk: int, *, whole: bool) -> Claim:
    # Chrome and retired claims too: a reviewer reaches chrome from the article page to
    # un-mark it, and a retired claim's page keeps its history.
    claims = Claim.objects.for_detail() if whole else Claim.objects.for_page()
    return get_object_or_404(claims, pk=pk)


def _render_page(
    request: HttpRequest, pk: int, part: str | None = None, *, status: int = 200, **extra
) -> HttpResponse:
    """Render the claim page, or only `part` of it: a panel's name or "workspace"."""
    whole = part in (None, WORKSPACE)
    template = "claims/claim_detail.html" + (f"#{part}" if part is not None else "")
    claim = _claim_for_page(pk, whole=whole)  # a panel reads only the lists it shows
    page = ClaimPage(request, claim)
    if whole:
        panels, pending = whole_page_panels(request.GET.get("panel", "") if part is None else "")
        context = page.context(panels, pending=pending, **extra)
    else:
        context = page.context([part], **extra)
    return render(request, template, context, status=status)


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    """After a fix that can move anything: the fresh workspace for htmx, a redirect otherwise."""
    if request.htmx:
        return _render_page(request, pk, WORKSPACE, flash={"header": message})
    messages.success(request, message)
    return redirect("claims:detail", pk=pk)


def _changed(request: HttpRequest, pk: int, panel: str, message: str, *events: str):
    """After an action of a panel: for htmx that panel, saying so, and the events of what
    changed (the other panels showing it refresh themselves); a redirect otherwise."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("claims:detail", pk=pk)
    response = _render_page(request, pk, panel, flash={panel: message})
    for event in events:
        trigger_client_event(response, event)
    return response


def _refused(request: HttpRequest, pk: int, key: str, message: str, **extra) -> HttpResponse:
    """Show why an action was refused, in the panel it came from (409 for conflicts)."""
    # The panel says it on the page rendered now; a flash message would say it twice.
    part = REFUSAL_PANELS.get(key, WORKSPACE) if request.htmx else None
    return _render_page(request, pk, part, status=409, errors={key: message}, **extra)


@require_GET
@require_perm("claims.view_claim")
@vary_on_headers("HX-Request")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim in its article with its evidence, ratings, notes and history.

    For htmx, `?panel=<name>` is one panel (each refreshes itself when what it shows
    changed) and `?fragment=workspace` all of them; opened directly, either is the page.
    """
    part = None
    if request.htmx:
        panel = request.GET.get("panel", "")
        if panel and panel not in PANELS:
            return HttpResponse(f"The claim page has no panel {panel!r}.", status=400)
        part = panel or (WORKSPACE if request.GET.get("fragment") == WORKSPACE else None)
    return _render_page(request, pk, part)


@require_POST
@require_perm("claims.change_claim")
@refuse_if_retired
def claim_status(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "status", error_text(form))
    data = form.cleaned_data
    try:
        services.claim_set_status(
            claim=claim,
            status=data["status"],
            reason=data["reason"],
            by=request.user,
            version=data["version"],
        )
    except services.StaleEdit as exc:
        return _refused(request, pk, "status", exc.refusal)
    except (services.EvidenceRequired, services.ReasonRequired, services.ClaimRefused) as exc:
        return _refused(request, pk, "status", str(exc))
    message = f"Status set to {ClaimStatus(data['status']).label}."
    return _changed(request, pk, "verdict", message, CLAIM_CHANGED)


@require_POST
@require_perm("claims.change_claim")
@refuse_if_retired
def claim_credibility(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = CredibilityForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "credibility", error_text(form))
    try:
        services.claim_set_credibility(
            claim=claim,
            credibility=form.cleaned_data["credibility"],
            by=request.user,
            version=form.cleaned_data["version"],
        )
    except services.StaleEdit as exc:
        return _refused(request, pk, "credibility", exc.refusal)
    except (services.EvidenceRequired, services.ClaimRefused) as exc:
        return _refused(request, pk, "credibility", str(exc))
    return _changed(request, pk, "verdict", "Credibility saved.", CLAIM_CHANGED)


@require_POST
@require_perm("claims.assign_claim")
@refuse_if_retired
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = AssignForm(request.POST, reviewers=reviewers())
    if not form.is_valid():
        return _refused(request, pk, "assign", error_text(form))
    try:
        services.claim_assign(claim=claim, assignee=form.cleaned_data["assignee"], by=request.user)
    except services.ClaimRefused as exc:
        return _refused(request, pk, "assign", str(exc))
    return _changed(request, pk, "verdict", "Assignment saved.", CLAIM_CHANGED)


@require_POST
@require_perm("claims.add_corroboration")
@refuse_if_retired
def corroboration_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = CorroborationForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "corroboration", error_text(form), corroboration_form=form)
    try:
        services.corroboration_create(claim=claim, by=request.user, **form.service_kwargs())
    except (services.ReasonRequired, ValueError, ValidationError) as exc:
        return _refused(
            request, pk, "corroboration", error_text(exc, form), corroboration_form=form
        )
    return _changed(request, pk, "evidence", "Evidence added.", EVIDENCE_CHANGED)


@require_POST
@require_perm("claims.add_corroboration")
@refuse_if_retired
def candidate_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a candidate claim of another article as evidence, with the reviewer's stance."""
    claim = get_object_or_404(Claim, pk=pk)
    evidence_id = parse_id(request.POST.get("evidence_claim", ""))
    evidence = get_object_or_404(Claim.objects.select_related("article"), pk=evidence_id or 0)
    stance = request.POST.get("stance", "")
    if stance not in Stance.values:
        return _refused(request, pk, "corroboration", "Choose supports, contradicts or context.")
    try:
        services.corroboration_create(
            claim=claim, by=request.user, stance=stance, evidence_claim=evidence
        )
    except (services.ReasonRequired, ValueError, ValidationError) as exc:
        return _refused(request, pk, "corroboration", error_text(exc))
    message = f"Claim #{evidence.pk} attached as {Stance(stance).label.lower()}."
    return _changed(request, pk, "evidence", message, EVIDENCE_CHANGED)


def _edit_page(
    request: HttpRequest, template: str, context: dict, stale: services.StaleEdit | None
) -> HttpResponse:
    """Render an edit page, or for htmx only its form fragment, with any stale-edit refusal.

    A refusal is a 409 whose form shows the object as it is now, at its current version.
    """
    if request.htmx:
        template += "#edit_form"
    context = {"nav": "claims", "stale": stale.refusal if stale is not None else "", **context}
    return render(request, template, context, status=200 if stale is None else 409)


def _back_to_claim(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    """After a save on an edit page: back to the claim page (htmx follows it too)."""
    messages.success(request, message)
    url = reverse("claims:detail", args=[pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@require_perm("claims.change_corroboration")
@vary_on_headers("HX-Request")
@refuse_if_retired
def corroboration_edit(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    """Edit a piece of evidence; a save made on a stale page is refused with what changed."""
    corroboration = get_object_or_404(
        Corroboration.objects.select_related("claim"), pk=cid, claim_id=pk
    )
    stale: services.StaleEdit | None = None
    if request.method == "GET":
        form = CorroborationEditForm.for_corroboration(corroboration)
    else:
        form = CorroborationEditForm(request.POST)
        if form.is_valid():
            try:
                services.corroboration_update(
                    corroboration=corroboration, by=request.user, **form.service_kwargs()
                )
            except services.StaleEdit as exc:
                corroboration.refresh_from_db()
                form, stale = CorroborationEditForm.for_corroboration(corroboration), exc
            except (services.ReasonRequired, ValueError, ValidationError) as exc:
                form.add_error(None, error_text(exc, form))
            else:
                return _back_to_claim(request, pk, "Evidence updated.")
    context = {"claim": corroboration.claim, "corroboration": corroboration, "form": form}
    return _edit_page(request, "claims/corroboration_edit.html", context, stale)


@require_POST
@require_perm("claims.delete_corroboration")
@refuse_if_retired
def corroboration_remove(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    """Remove a piece of evidence; a removal made on a stale page is refused with what changed."""
    corroboration = get_object_or_404(Corroboration, pk=cid, claim_id=pk)
    form = CorroborationRemoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "corroboration", error_text(form))
    try:
        services.corroboration_delete(
            corroboration=corroboration, by=request.user, **form.cleaned_data
        )
    except services.StaleEdit as exc:
        return _refused(request, pk, "corroboration", exc.refusal)
    return _changed(request, pk, "evidence", "Evidence removed.", EVIDENCE_CHANGED)


@require_POST
@require_perm("claims.add_rating", "claims.change_rating")
@refuse_if_retired
def rating_save(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "rating", error_text(form), rating_form=form)
    services.rating_set(claim=claim, by=request.user, **form.cleaned_data)
    return _changed(request, pk, "ratings", "Your rating is saved.", RATINGS_CHANGED)


@require_POST
@require_perm("claims.add_note")
@refuse_if_retired
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "notes", error_text(form))
    services.note_create(claim=claim, by=request.user, **form.cleaned_data)
    return _changed(request, pk, "notes", "Note added.", NOTES_CHANGED)


@require_http_methods(["GET", "POST"])
@require_perm("claims.change_note")
@vary_on_headers("HX-Request")
@refuse_if_retired
def note_edit(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    """Edit one's own note; a save made on a stale page is refused with what changed."""
    note = get_object_or_404(Note.objects.select_related("claim"), pk=nid, claim_id=pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit a note.")
    stale: services.StaleEdit | None = None
    form = NoteEditForm(request.POST or None, initial={"text": note.text, "version": note.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                note=note,
                by=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except services.StaleEdit as exc:
            note.refresh_from_db()
            form = NoteEditForm(initial={"text": note.text, "version": note.version})
            stale = exc
        except ValidationError as exc:
            form.add_error("text", error_text(exc))
        else:
            return _back_to_claim(request, pk, "Note updated.")
    context = {"claim": note.claim, "note": note, "form": form}
    return _edit_page(request, "claims/note_edit.html", context, stale)


@require_POST
@require_perm("claims.revert_history")
def history_revert(request: HttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    history_id = parse_id(request.POST.get("history_id", ""))
    if kind not in {"claim", "corroboration", "rating", "note"} or history_id is None:
        return _refused(request, pk, "history", "Choose a recorded change to revert.")
    # Only a change shown on this claim's page may be reverted from it.
    owner = "id" if kind == "claim" else "claim_id"
    if not history_model(kind).objects.filter(history_id=history_id, **{owner: pk}).exists():
        return _refused(
            request, pk, "history", f"Change #{history_id} is not in this claim's history."
        )
    form = RevertForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "history", error_text(form))
    try:
        boundaries.history_revert(
            kind=kind,
            history_id=history_id,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except (
        services.EvidenceRequired,
        services.RevertRefused,
        ValueError,
        ObjectDoesNotExist,
    ) as exc:
        return _refused(request, pk, "history", error_text(exc))
    return _done(request, pk, f"Change #{history_id} reverted.")
