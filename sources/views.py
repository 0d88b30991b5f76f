"""Article pages, clusters and the publisher registry (the import pages are imports.views)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from claims.forms import RevertForm
from claims.history import article_timeline, publisher_timeline
from claims.models import Claim, ClaimKind, ClaimStatus
from claims.services import RevertRefused, StaleEdit
from sources import services
from sources.forms import ArticleForm, PublisherForm
from sources.highlight import Window, highlight, span_data
from sources.models import Article, Publisher
from workbench.errors import error_text
from workbench.http import parse_id
from workbench.paging import Keyset
from workbench.permissions import require_perm

ARTICLES_PAGE = 50
NEWEST_FIRST = Keyset()  # by id, descending: `?before=<id>` is the last id seen
# Columns shown side by side on the "same event" page (a wire story may have hundreds).
CLUSTER_COLUMNS = 12


@require_GET
@require_perm("sources.view_article")
def article_list(request: HttpRequest) -> HttpResponse:
    """Recent articles, newest first (keyset on id: `?before=<id>`)."""
    qs = Article.objects.for_list()
    if publisher := parse_id(request.GET.get("publisher", "")):
        qs = qs.filter(publisher_id=publisher)
    before = parse_id(request.GET.get("before", ""))
    page = NEWEST_FIRST.page(qs, (before,) if before else None, size=ARTICLES_PAGE)
    next_before = page.next_start[0] if page.next_start else None
    context = {"nav": "articles", "rows": page.rows, "next_before": next_before}
    return render(request, "sources/article_list.html", context)


@require_GET
@require_perm("sources.view_article")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full text with every claim highlighted by status and clickable; chrome greyed.

    Reviewers select text on it to create, split, merge or move claims (the selection tools).
    """
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    claims = list(
        Claim.objects.current()
        .filter(article=article)
        .only("id", "start", "end", "kind", "status", "version")
        .order_by("start", "end", "pk")
    )
    counts = dict(
        Claim.objects.triageable()
        .filter(article=article)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    status_counts = [(value, label, counts.get(value, 0)) for value, label in ClaimStatus.choices]
    # A long text is shown a window at a time (?from=<character>).
    shown = Window.page(len(article.text), parse_id(request.GET.get("from", "")) or 0)
    context = {
        "nav": "articles",
        "article": article,
        "body": highlight(article.text, claims, start=shown.start, end=shown.end),
        "shown": shown,
        "status_counts": status_counts,
        "claim_count": sum(counts.values()),
        "chrome_count": sum(1 for c in claims if c.kind == "chrome"),
        "timeline": article_timeline(article),
        "can_revert": request.user.has_perm("claims.revert_history"),
        "selectable": span_data(claims),
        "kinds": ClaimKind.choices,
        "selection_next": article.get_absolute_url(),
    }
    return render(request, "sources/article_detail.html", context)


def _edit_message(edit: services.ArticleEdit) -> str:
    labels = {"published_at": "date", "url": "URL"}
    changed = ", ".join(labels.get(f, f) for f in edit.changed)
    message = f"Article #{edit.article.pk}: {changed} corrected."
    if edit.new_publisher is not None:
        message += f" {edit.new_publisher} was added to the registry (new — not reviewed)."
    if edit.judged:
        message += (
            f" Independence judged again for {edit.judged} piece{pluralize(edit.judged)} of "
            f"evidence: {len(edit.rejudged)} changed."
        )
    if edit.cluster_changed:
        ids = ", ".join(f"#{pk}" for pk in edit.cluster_changed)
        message += f" Along its syndication cluster the origin of article {ids} changed."
    return message


def _report_edit(request: HttpRequest, edit: services.ArticleEdit) -> None:
    """Say what an edit or revert changed, and which verified claims lost their support."""
    messages.success(request, _edit_message(edit))
    if edit.unsupported:
        ids = ", ".join(f"#{pk}" for pk in edit.unsupported)
        messages.warning(
            request,
            f"Verified claim{pluralize(len(edit.unsupported))} {ids} no longer "
            f"{'has' if len(edit.unsupported) == 1 else 'have'} a supporting corroboration "
            "judged independent: review the verdict.",
        )


@require_http_methods(["GET", "POST"])
@require_perm("sources.change_article")
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an article's metadata (leads); its text never changes."""
    article = get_object_or_404(
        Article.objects.select_related("publisher", "origin").without_bodies(), pk=pk
    )
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                edit = services.article_update(
                    article=article,
                    by=request.user,
                    reason=data["reason"],
                    version=data["version"],
                    new_publisher=data["new_publisher"],
                    **form.service_fields(request.POST),
                )
            except StaleEdit as exc:
                changes = "; ".join(exc.changes)
                form.add_error(None, f"Not saved: {exc.args[0]} ({changes}). Reload and try again.")
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if edit.changed:
                    _report_edit(request, edit)
                else:
                    messages.info(request, "Nothing changed.")
                return redirect(article.get_absolute_url())
    else:
        latest = article.history.order_by("-history_id").values_list("history_id", flat=True)
        form = ArticleForm(initial=ArticleForm.initial_for(article, version=latest.first()))
    context = {"nav": "articles", "article": article, "form": form}
    return render(request, "sources/article_edit.html", context)


def _revert_posted(request: HttpRequest, obj, *, noun: str, revert, refused, done) -> HttpResponse:
    """Undo the recorded change of `obj` named by the POST's `history_id`, with its `reason`:
    `revert(history_id=…, by=…, reason=…)` is the service, `refused` the errors it raises
    that the page reports, `done(result)` says it worked. Then back to `obj`'s page, which
    shows what happened (htmx follows there as a browser would)."""
    history_id = parse_id(request.POST.get("history_id", ""))
    form = RevertForm(request.POST)
    if history_id is None or not obj.history.filter(history_id=history_id).exists():
        messages.error(request, f"Choose a recorded change of this {noun} to revert.")
    elif not form.is_valid():
        messages.error(request, f"Change #{history_id} not reverted: {error_text(form)}")
    else:
        try:
            result = revert(
                history_id=history_id, by=request.user, reason=form.cleaned_data["reason"]
            )
        except refused as exc:
            messages.error(request, f"Change #{history_id} not reverted: {error_text(exc)}")
        else:
            done(result, history_id)
    if request.htmx:
        return HttpResponseClientRedirect(obj.get_absolute_url())
    return redirect(obj.get_absolute_url())


@require_POST
@require_perm("claims.revert_history")
def article_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo one recorded change of an article's metadata (leads), judging evidence again."""
    return _revert_posted(
        request,
        get_object_or_404(Article.objects.only("id"), pk=pk),
        noun="article",
        revert=services.article_revert,
        refused=(RevertRefused, StaleEdit, ValidationError),
        done=lambda edit, _: _report_edit(request, edit),
    )


@require_GET
@require_perm("sources.view_article")
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The "same event" page: the claims of every article in this article's syndication cluster."""
    article = get_object_or_404(Article.objects.only("id", "cluster_origin_id"), pk=pk)
    origin_id = article.cluster_origin_id or article.pk
    members = list(
        Article.objects.in_cluster(origin_id)
        .for_list()
        .order_by("published_at", "id")[:CLUSTER_COLUMNS]
    )
    claims = (
        Claim.objects.triageable()
        .filter(article__in=members)
        .only("id", "article_id", "text", "kind", "status", "start")
        .order_by("article_id", "start")
    )
    by_article: dict[int, list[Claim]] = {m.pk: [] for m in members}
    for claim in claims:
        by_article[claim.article_id].append(claim)
    context = {
        "nav": "articles",
        "article": article,
        "origin_id": origin_id,
        "columns": [(m, by_article[m.pk]) for m in members],
        "clustered": article.cluster_origin_id is not None,
    }
    return render(request, "sources/cluster.html", context)


@require_GET
@require_perm("sources.view_publisher")
def publisher_list(request: HttpRequest) -> HttpResponse:
    publishers = Publisher.objects.for_registry().annotate(article_count=Count("articles"))
    return render(
        request, "sources/publisher_list.html", {"nav": "publishers", "publishers": publishers}
    )


@require_http_methods(["GET", "POST"])
@require_perm("sources.add_publisher")
def publisher_add(request: HttpRequest) -> HttpResponse:
    """Add a publisher to the registry (leads): ownership, parent, country, domains, aliases."""
    form = PublisherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publisher = services.publisher_create(
                by=request.user, reason=form.cleaned_data["reason"], **form.service_fields()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {publisher} to the registry.")
            return redirect(publisher.get_absolute_url())
    return render(request, "sources/publisher_add.html", {"nav": "publishers", "form": form})


@require_http_methods(["GET", "POST"])
@require_perm("sources.view_publisher")
@vary_on_headers("HX-Request")
def publisher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A publisher with its history; leads edit it here."""
    publisher = get_object_or_404(Publisher.objects.select_related("parent"), pk=pk)
    can_edit = request.user.has_perm("sources.change_publisher")
    timeline = publisher_timeline(publisher)
    seen = {"version": max((e.history_id for e in timeline), default=None)}
    form = PublisherForm(instance=publisher, initial=seen) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only leads can edit publishers.")
        form = PublisherForm(request.POST, instance=publisher)
        if form.is_valid():
            try:
                services.publisher_update(
                    publisher=publisher,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except StaleEdit as exc:
                # The entry's values as posted, at the version the page now shows: saving
                # again, after reading what changed, is a decision made knowing it.
                data = request.POST.copy()
                data["version"] = seen["version"]
                form = PublisherForm(data, instance=Publisher.objects.get(pk=publisher.pk))
                form.is_valid()
                form.add_error(None, exc.refusal)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved {publisher}.")
                return redirect(publisher.get_absolute_url())
    context = {
        "nav": "publishers",
        "publisher": publisher,
        "form": form,
        "timeline": timeline,
        "can_revert": can_edit,
    }
    return render(request, "sources/publisher_detail.html", context)


@require_POST
@require_perm("sources.change_publisher")
def publisher_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo one recorded change of a publisher's registry entry (leads), with a reason."""
    return _revert_posted(
        request,
        get_object_or_404(Publisher.objects.only("id"), pk=pk),
        noun="publisher",
        revert=services.publisher_revert,
        refused=(RevertRefused, ValidationError),
        done=lambda _, history_id: messages.success(request, f"Change #{history_id} reverted."),
    )
