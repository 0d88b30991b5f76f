"""Article pages, the publisher registry and the import page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from claims.models import Claim, ClaimStatus
from claims.triage import parse_id
from sources import services
from sources.forms import ImportForm, PublisherForm
from sources.highlight import highlight
from sources.models import Article, Publisher
from workbench.permissions import require_perm


@require_GET
@require_perm("sources.view_article")
def article_list(request: HttpRequest) -> HttpResponse:
    """Recent articles, newest first (keyset on id: `?before=<id>`)."""
    qs = (
        Article.objects.select_related("publisher")
        .order_by("-id")
        .defer("text", "received_text", "repairs")
    )
    if before := parse_id(request.GET.get("before", "")):
        qs = qs.filter(id__lt=before)
    if publisher := parse_id(request.GET.get("publisher", "")):
        qs = qs.filter(publisher_id=publisher)
    rows = list(qs[:51])
    more = len(rows) > 50
    rows = rows[:50]
    context = {"nav": "articles", "rows": rows, "next_before": rows[-1].pk if more else None}
    return render(request, "sources/article_list.html", context)


@require_GET
@require_perm("sources.view_article")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full text with every claim highlighted by status and clickable; chrome greyed."""
    article = get_object_or_404(Article.objects.select_related("publisher__parent"), pk=pk)
    claims = list(
        Claim.objects.filter(article=article)
        .only("id", "start", "end", "kind", "status")
        .order_by("start")
    )
    counts = dict(
        Claim.objects.triageable()
        .filter(article=article)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    status_counts = [(value, label, counts.get(value, 0)) for value, label in ClaimStatus.choices]
    context = {
        "nav": "articles",
        "article": article,
        "body": highlight(article.text, claims),
        "status_counts": status_counts,
        "claim_count": sum(counts.values()),
        "chrome_count": sum(1 for c in claims if c.kind == "chrome"),
    }
    return render(request, "sources/article_detail.html", context)


@require_GET
@require_perm("sources.view_publisher")
def publisher_list(request: HttpRequest) -> HttpResponse:
    publishers = Publisher.objects.for_registry().annotate(article_count=Count("articles"))
    return render(
        request, "sources/publisher_list.html", {"nav": "publishers", "publishers": publishers}
    )


@require_http_methods(["GET", "POST"])
@require_perm("sources.view_publisher")
@vary_on_headers("HX-Request")
def publisher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A publisher with its history; leads edit it here."""
    publisher = get_object_or_404(Publisher.objects.select_related("parent"), pk=pk)
    can_edit = request.user.has_perm("sources.change_publisher")
    form = PublisherForm(instance=publisher) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only leads can edit publishers.")
        form = PublisherForm(request.POST, instance=publisher)
        if form.is_valid():
            services.publisher_update(
                publisher=publisher,
                by=request.user,
                reason=form.cleaned_data["reason"],
                **{k: v for k, v in form.cleaned_data.items() if k != "reason"},
            )
            messages.success(request, f"Saved {publisher}.")
            return redirect(publisher.get_absolute_url())
    history = publisher.history.select_related("history_user").order_by("-history_date")[:50]
    context = {"nav": "publishers", "publisher": publisher, "form": form, "history": history}
    return render(request, "sources/publisher_detail.html", context)


@require_http_methods(["GET", "POST"])
@require_perm("sources.import_articles")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload article files and import them (admins only)."""
    form = ImportForm()
    results = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            files = [(f.name, f.read()) for f in form.cleaned_data["files"]]
            _, results = services.articles_import(files, by=request.user, origin="upload")
    return render(
        request, "sources/import.html", {"nav": "import", "form": form, "results": results}
    )
