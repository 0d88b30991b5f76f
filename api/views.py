"""The REST API, version 1 (`/api/v1/`): the queue, claims and the work on them.

Function views (DRF's `api_view`), as the web's are. Reads use the queue's own filters and
keyset pages (claims/triage.py) and the export's records (claims/exports): a claim reads as
one line of a JSON Lines export, the list's items as plain records. Writes validate with the
web pages' forms and save through the same services, so every rule, refusal and history row is
the page's; a refusal is JSON with a stable code (api/errors.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError, service_error
from api.forms_schema import form_serializer
from api.permissions import has_perms
from claims import services
from claims.exports.records import iter_full_records, iter_plain_records
from claims.forms import CorroborationForm, CredibilityForm, NoteForm, RatingForm, StatusForm
from claims.models import Claim
from claims.triage import parse_filters, triage_page
from workbench.errors import error_text

QUEUE_PARAMETERS = [
    OpenApiParameter("status", str, many=True, description="unreviewed, in_review, …, or all."),
    OpenApiParameter("kind", str, many=True),
    OpenApiParameter("publisher", int),
    OpenApiParameter("article", int),
    OpenApiParameter("assignee", str, description="mine, none or a user id."),
    OpenApiParameter("evidence", str, enum=["yes", "no"]),
    OpenApiParameter("credibility", str, description="1–6, or none: not rated yet."),
    OpenApiParameter("q", str, description="Search the claims' text."),
    OpenApiParameter("o", str, description="Order, as the queue's (-score, credibility, …)."),
    OpenApiParameter("after", str, description="The cursor of the next page (from `next`)."),
    OpenApiParameter("before", str, description="The cursor of the page before (`previous`)."),
]


def _page_url(request: Request, filters, **cursor) -> str | None:
    value = next(iter(cursor.values()))
    if not value:
        return None
    query = filters.querystring()
    query += ("&" if query else "") + "&".join(f"{k}={v}" for k, v in cursor.items())
    return request.build_absolute_uri(f"{reverse('api:claims')}?{query}")


@extend_schema(
    operation_id="claims_list",
    parameters=QUEUE_PARAMETERS,
    responses={200: OpenApiTypes.OBJECT},
    description="The triage queue: its filters, its order, a page of plain records and the "
    "cursors of the pages after and before (never a full count).",
)
@api_view(["GET"])
@permission_classes([has_perms("claims.view_claim")])
def claim_list(request: Request) -> Response:
    filters = parse_filters(request.query_params)
    if filters.errors:
        raise ApiError("invalid_parameter", " ".join(filters.errors))
    page = triage_page(filters, request.user)
    ids = [claim.pk for claim in page.rows]
    by_id = {r["id"]: r for r in iter_plain_records(Claim.objects.filter(pk__in=ids))}
    return Response(
        {
            "results": [by_id[pk] for pk in ids if pk in by_id],
            "next": _page_url(request, filters, after=page.next_cursor),
            "previous": _page_url(request, filters, before=page.prev_cursor),
        }
    )


def _record(pk: int) -> dict:
    """The claim's full export record (404 for chrome, retired or missing claims)."""
    for record in iter_full_records(Claim.objects.triageable().filter(pk=pk)):
        return record
    raise ApiError("not_found", f"There is no claim #{pk} in triage.", status_code=404)


@extend_schema(responses={200: OpenApiTypes.OBJECT}, description="The claim's export record.")
@api_view(["GET"])
@permission_classes([has_perms("claims.view_claim")])
def claim_detail(request: Request, pk: int) -> Response:
    return Response(_record(pk))


def _claim_to_change(pk: int) -> Claim:
    """The claim a write changes: a retired claim is refused as on the web."""
    claim = get_object_or_404(Claim, pk=pk)
    if claim.retired:
        message = services.retired_refusal(pk, claim.merged_into_id)
        raise ApiError("claim_retired", message, status_code=409)
    return claim


def _valid(form) -> dict:
    if not form.is_valid():
        fields = {name: list(errors) for name, errors in form.errors.items()}
        raise ApiError("invalid", error_text(form), fields=fields)
    return form.cleaned_data


def _saved(pk: int, status: int = 200) -> Response:
    return Response(_record(pk), status=status)


@extend_schema(request=form_serializer(StatusForm, "StatusInput"), responses={200: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.change_claim")])
def claim_status(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(StatusForm(request.data))
    try:
        services.claim_set_status(
            claim=claim,
            status=data["status"],
            reason=data["reason"],
            by=request.user,
            version=data["version"],
        )
    except (
        services.StaleEdit,
        services.EvidenceRequired,
        services.ReasonRequired,
        services.ClaimRefused,
    ) as exc:
        raise service_error(exc) from exc
    return _saved(pk)


@extend_schema(request=form_serializer(CredibilityForm, "CredibilityInput"), responses={200: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.change_claim")])
def claim_credibility(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(CredibilityForm(request.data))
    try:
        services.claim_set_credibility(
            claim=claim, credibility=data["credibility"], by=request.user, version=data["version"]
        )
    except (services.StaleEdit, services.EvidenceRequired, services.ClaimRefused) as exc:
        raise service_error(exc) from exc
    return _saved(pk)


@extend_schema(
    request=form_serializer(CorroborationForm, "CorroborationInput"), responses={201: dict}
)
@api_view(["POST"])
@permission_classes([has_perms("claims.add_corroboration")])
def corroboration_add(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    form = CorroborationForm(request.data)
    _valid(form)
    try:
        services.corroboration_create(claim=claim, by=request.user, **form.service_kwargs())
    except services.ReasonRequired as exc:
        raise service_error(exc) from exc
    except (ValueError, ValidationError) as exc:
        raise ApiError("invalid", error_text(exc, form)) from exc
    return _saved(pk, 201)


@extend_schema(request=form_serializer(RatingForm, "RatingInput"), responses={200: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.add_rating", "claims.change_rating")])
def rating_save(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(RatingForm(request.data))
    services.rating_set(claim=claim, by=request.user, **data)
    return _saved(pk)


@extend_schema(request=form_serializer(NoteForm, "NoteInput"), responses={201: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.add_note")])
def note_add(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(NoteForm(request.data))
    services.note_create(claim=claim, by=request.user, text=data["text"])
    return _saved(pk, 201)
