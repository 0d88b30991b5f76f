"""The bell (unread count), the list with mark-read, the e-mail setting, and watching a claim."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from claims.models import Claim
from notifications import services
from notifications.models import EmailMode, Notification, Watch
from workbench.permissions import require_perm

LIST_LIMIT = 100


@require_GET
@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The nav's bell with the unread count (loaded by htmx, so pages pay nothing for it)."""
    unread = Notification.objects.filter(user=request.user).unread().count()
    return render(request, "notifications/_bell.html", {"unread": unread})


def _list(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    rows = list(Notification.objects.for_user(request.user)[:LIST_LIMIT])
    context = {
        "nav": "notifications",
        "notifications": rows,
        "unread": sum(1 for n in rows if n.read_at is None),
        "email_mode": services.email_mode(request.user),
        "email_modes": EmailMode.choices,
        "error": error,
    }
    template = "notifications/list.html"
    if request.htmx:
        template += "#items"
    response = render(request, template, context, status=status)
    response["HX-Trigger"] = "notifications-changed"  # the bell counts again
    return response


@require_GET
@login_required
@vary_on_headers("HX-Request")
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's newest notifications, unread first marked."""
    return _list(request)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`id`) or all of them read."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notifications_mark_read(by=request.user, ids=ids)
    if not request.htmx:
        return redirect("notifications:list")
    return _list(request)


@require_POST
@login_required
def setting(request: HttpRequest) -> HttpResponse:
    """Set how the user wants e-mail."""
    try:
        services.notification_setting_set(by=request.user, email=request.POST.get("email", ""))
    except ValueError as error:
        return _list(request, status=409, error=str(error))
    return redirect("notifications:list")


@require_GET
@require_perm("claims.view_claim")
def watch_button(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    watching = Watch.objects.filter(user=request.user, claim=claim).exists()
    return render(request, "notifications/_watch.html", {"claim": claim, "watching": watching})


@require_POST
@require_perm("claims.view_claim")
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    """Watch or stop watching a claim (`watching` = 1 or 0)."""
    claim = get_object_or_404(Claim, pk=pk)
    watching = services.watch_set(
        claim=claim, by=request.user, watching=request.POST.get("watching") == "1"
    )
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    return render(request, "notifications/_watch.html", {"claim": claim, "watching": watching})
