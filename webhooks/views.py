"""The webhooks pages (admins): endpoints, their deliveries, each delivery's attempts.

`/webhooks/` lists the endpoints; an endpoint's page edits it, shows its secret and its
latest deliveries; a delivery's page shows the payload and every attempt, refreshed by htmx
(`#attempts`) while one is due, with "Send again".
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryStatus, Endpoint
from webhooks.services import (
    EndpointRefused,
    body_of,
    endpoint_create,
    endpoint_set_active,
    endpoint_update,
)
from webhooks.tasks import delivery_send_again
from workbench.http import parse_id
from workbench.permissions import require_perm

PERM = "webhooks.manage_endpoints"
DELIVERIES_SHOWN = 50
SOON = timedelta(seconds=60)


def _refused(form: EndpointForm, exc: EndpointRefused) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_GET
@require_perm(PERM)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = Endpoint.objects.select_related("created_by")
    return render(
        request, "webhooks/endpoint_list.html", {"nav": "webhooks", "endpoints": endpoints}
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    del form.fields["active"]  # a new endpoint is active
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_create(
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except EndpointRefused as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, f"Endpoint {endpoint.url} added: give its secret to the receiver."
            )
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "webhooks/endpoint_add.html", {"nav": "webhooks", "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint: its form (POST saves it), its secret and its latest deliveries."""
    endpoint = get_object_or_404(Endpoint, pk=pk)
    initial = {k: getattr(endpoint, k) for k in ("url", "description", "events", "active")}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(endpoint=endpoint, by=request.user, **form.cleaned_data)
        except EndpointRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    context = {
        "nav": "webhooks",
        "endpoint": endpoint,
        "form": form,
        "deliveries": Delivery.objects.of(endpoint)[:DELIVERIES_SHOWN],
        "shown": DELIVERIES_SHOWN,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/endpoint_detail.html", context, status=status)


@require_POST
@require_perm(PERM)
def endpoint_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (or activate again, with active=1) an endpoint."""
    endpoint = get_object_or_404(Endpoint, pk=pk)
    active = request.POST.get("active") == "1"
    endpoint_set_active(endpoint=endpoint, active=active, by=request.user)
    state = "active again" if active else "deactivated: it gets no new events"
    messages.success(request, f"Endpoint {endpoint.url} {state}.")
    return redirect("webhooks:list")


@require_GET
@require_perm(PERM)
@vary_on_headers("HX-Request")
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A delivery: its payload and headers' message id, and every attempt.

    While an attempt is due the attempts panel refreshes itself; `?until=N` (after "Send
    again") keeps it refreshing until N attempts are logged.
    """
    delivery = get_object_or_404(Delivery.objects.select_related("endpoint"), pk=pk)
    return _delivery_page(request, delivery, until=parse_id(request.GET.get("until", "")))


def _delivery_page(
    request: HttpRequest, delivery: Delivery, *, until: int | None, flash: tuple | None = None
) -> HttpResponse:
    attempts = list(delivery.attempt_log.select_related("requested_by"))
    resent = until is not None and len(attempts) < until
    pending = delivery.status == DeliveryStatus.PENDING
    due = delivery.next_attempt_at
    soon = resent or (pending and (due is None or due - timezone.now() <= SOON))
    context = {
        "nav": "webhooks",
        "delivery": delivery,
        "body": body_of(delivery).decode(),
        "attempts": attempts,
        # Refresh every 2 s while an attempt is about to be logged, every 30 s while a later
        # retry is waiting, not at all once nothing is due.
        "poll": 2 if soon else 30 if pending else None,
        "until": until if resent else None,
        "flash": flash,  # (level, text): what "Send again" did, inside the refreshed panel
    }
    template = "webhooks/delivery_detail.html"
    if request.htmx:
        template += "#attempts"
    return render(request, template, context)


@require_POST
@require_perm(PERM)
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a delivery again now (a task: the page does not wait for the receiver)."""
    delivery = get_object_or_404(Delivery.objects.select_related("endpoint"), pk=pk)
    if not delivery.endpoint.active:
        level, text = "error", "The endpoint is inactive: activate it to send to it again."
    else:
        delivery_send_again(delivery=delivery, by=request.user)
        level, text = "success", f"Sending {delivery.msg_id} again: the attempt appears below."
    if request.htmx:
        until = delivery.attempt_log.count() + 1 if level == "success" else None
        return _delivery_page(request, delivery, until=until, flash=(level, text))
    messages.add_message(request, messages.ERROR if level == "error" else messages.SUCCESS, text)
    return redirect("webhooks:delivery", pk=delivery.pk)
