"""The REST API, version 1 (`/api/v1/`): the queue, claims and the work on them.

Function views (DRF's `api_view`), as the web's are. Reads use the queue's own filters and
keyset pages (claims/triage.py) and the export's records (claims/exports): a claim reads as
one line of a JSON Lines export, the list's items as plain records. Writes validate with the
web pages' forms and save through the same services, so every rule, refusal and history row is
the page's; a refusal is JSON with a stable code (api/errors.py).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
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
from claims.export_views import EXPORT_PERMS, export_response
from claims.exports import FORMATS
from claims.exports.records import iter_full_records, iter_plain_records
from claims.forms import (
    CorroborationEditForm,
    CorroborationForm,
    CredibilityForm,
    NoteEditForm,
    NoteForm,
    RatingForm,
    StatusForm,
)
from claims.models import Claim, Corroboration, Note
from claims.triage import EVIDENCE_FILTERS, parse_filters, triage_page
from desk.blind import visibility_filters
from imports.forms import ImportForm
from imports.progress import import_batch_progress, import_worker_report
from imports.uploads import import_batch_create_from_uploads
from sources import services as sources_services
from sources.exports import article_record, publisher_record
from sources.forms import PublisherForm
from sources.models import Article, ImportBatch, ImportFile, ImportOutcome, Publisher
from workbench.errors import error_text
from workbench.http import parse_id
from workbench.paging import Keyset

QUEUE_PARAMETERS = [
    OpenApiParameter("status", str, many=True, description="unreviewed, in_review, …, or all."),
    OpenApiParameter("kind", str, many=True),
    OpenApiParameter("publisher", int),
    OpenApiParameter("article", int),
    OpenApiParameter("assignee", str, description="mine, none or a user id."),
    OpenApiParameter("evidence", str, enum=list(EVIDENCE_FILTERS)),
    OpenApiParameter("credibility", str, description="1–6, or none: not rated yet."),
    OpenApiParameter("q", str, description="Search the claims' text."),
    OpenApiParameter("o", str, description="Order, as the queue's (-score, credibility, …)."),
    OpenApiParameter("after", str, description="The cursor of the next page (from `next`)."),
    OpenApiParameter("before", str, description="The cursor of the page before (`previous`)."),
]


def _page_url(request: Request, path: str, **cursor) -> str | None:
    """The URL of the page at `cursor` (None when there is none): this request's query with
    its cursors replaced."""
    if not any(cursor.values()):
        return None
    query = request.query_params.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    for name, value in cursor.items():
        query[name] = value
    return request.build_absolute_uri(f"{path}?{query.urlencode()}")


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
    page = triage_page(filters, request.user, rows_only=("id",))
    ids = [claim.pk for claim in page.rows]
    by_id = {r["id"]: r for r in iter_plain_records(Claim.objects.filter(pk__in=ids))}
    return Response(
        {
            "results": [by_id[pk] for pk in ids if pk in by_id],
            "next": _page_url(request, reverse("api:claims"), after=page.next_cursor),
            "previous": _page_url(request, reverse("api:claims"), before=page.prev_cursor),
        }
    )


def _record(pk: int, user) -> dict:
    """The claim's full export record as `user` may see it (blind review: desk.blind); 404
    for chrome, retired or missing claims."""
    visible = visibility_filters(user, claim_ids=[pk])
    for record in iter_full_records(Claim.objects.triageable().filter(pk=pk), visible=visible):
        return record
    raise ApiError("not_found", f"There is no claim #{pk} in triage.", status_code=404)


@extend_schema(responses={200: OpenApiTypes.OBJECT}, description="The claim's export record.")
@api_view(["GET"])
@permission_classes([has_perms("claims.view_claim")])
def claim_detail(request: Request, pk: int) -> Response:
    return Response(_record(pk, request.user))


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


def _saved(user, pk: int, status: int = 200) -> Response:
    return Response(_record(pk, user), status=status)


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
    return _saved(request.user, pk)


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
    return _saved(request.user, pk)


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
    return _saved(request.user, pk, 201)


@extend_schema(request=form_serializer(RatingForm, "RatingInput"), responses={200: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.add_rating", "claims.change_rating")])
def rating_save(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(RatingForm(request.data))
    services.rating_set(claim=claim, by=request.user, **data)
    return _saved(request.user, pk)


@extend_schema(request=form_serializer(NoteForm, "NoteInput"), responses={201: dict})
@api_view(["POST"])
@permission_classes([has_perms("claims.add_note")])
def note_add(request: Request, pk: int) -> Response:
    claim = _claim_to_change(pk)
    data = _valid(NoteForm(request.data))
    services.note_create(claim=claim, by=request.user, **data)
    return _saved(request.user, pk, 201)


def _merged(current: dict, given) -> dict:
    """A PATCH's fields over the object's current ones (what the edit form would show)."""
    data = dict(current)
    for key in given:
        data[key] = given.get(key)
    return data


@extend_schema(
    methods=["PATCH"],
    request=form_serializer(CorroborationEditForm, "CorroborationPatch"),
    responses={200: dict},
)
@extend_schema(
    methods=["DELETE"],
    parameters=[OpenApiParameter("version", int, required=True)],
    responses={200: dict},
)
@api_view(["PATCH", "DELETE"])
@permission_classes([has_perms("claims.change_corroboration", "claims.delete_corroboration")])
def corroboration_detail(request: Request, pk: int, cid: int) -> Response:
    """Change a piece of evidence (the fields given; `version` required) or remove it."""
    _claim_to_change(pk)
    corroboration = get_object_or_404(Corroboration, pk=cid, claim_id=pk)
    try:
        if request.method == "DELETE":
            version = _version(request)
            services.corroboration_delete(
                corroboration=corroboration,
                by=request.user,
                reason=str(request.query_params.get("reason", "")),
                version=version,
            )
            return _saved(request.user, pk)
        current = CorroborationEditForm.for_corroboration(corroboration).initial
        form = CorroborationEditForm(_merged({**current, "version": None}, request.data))
        _valid(form)
        services.corroboration_update(
            corroboration=corroboration, by=request.user, **form.service_kwargs()
        )
    except (services.StaleEdit, services.ReasonRequired) as exc:
        raise service_error(exc) from exc
    except (ValueError, ValidationError) as exc:
        raise ApiError("invalid", error_text(exc)) from exc
    return _saved(request.user, pk)


def _version(request: Request) -> int:
    raw = request.query_params.get("version") or request.data.get("version", "")
    if not str(raw).isdigit():
        raise ApiError("invalid", "version: give the version you saw (a whole number).")
    return int(raw)


@extend_schema(
    methods=["PATCH"], request=form_serializer(NoteEditForm, "NotePatch"), responses={200: dict}
)
@extend_schema(
    methods=["DELETE"],
    parameters=[OpenApiParameter("version", int, required=True)],
    responses={200: dict},
)
@api_view(["PATCH", "DELETE"])
@permission_classes([has_perms("claims.change_note")])
def note_detail(request: Request, pk: int, nid: int) -> Response:
    """Change or remove one's own note (`version` required)."""
    _claim_to_change(pk)
    note = get_object_or_404(Note, pk=nid, claim_id=pk)
    try:
        if request.method == "DELETE":
            services.note_delete(note=note, by=request.user, version=_version(request))
        else:
            data = _valid(NoteEditForm(_merged({"text": note.text}, request.data)))
            services.note_update(
                note=note, by=request.user, text=data["text"], version=data["version"]
            )
    except services.StaleEdit as exc:
        raise service_error(exc) from exc
    except PermissionDenied as exc:
        raise ApiError("permission_denied", str(exc), status_code=403) from exc
    except ValidationError as exc:
        raise ApiError("invalid", error_text(exc)) from exc
    return _saved(request.user, pk)


# --- Articles and publishers -----------------------------------------------------------------

ARTICLES_PAGE = 50
NEWEST_FIRST = Keyset()  # by id, newest first


def _article_summary(article: Article) -> dict:
    record = article_record(article)
    del record["text"]
    return record


@extend_schema(
    operation_id="articles_list",
    parameters=[
        OpenApiParameter("publisher", int),
        OpenApiParameter("before", int, description="The id the next page starts before."),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([has_perms("sources.view_article")])
def article_list(request: Request) -> Response:
    """Articles, newest first, without their text; `next` pages on."""
    qs = Article.objects.for_list().select_related("publisher")
    if publisher := parse_id(request.query_params.get("publisher", "")):
        qs = qs.filter(publisher_id=publisher)
    before = parse_id(request.query_params.get("before", ""))
    page = NEWEST_FIRST.page(qs, (before,) if before else None, size=ARTICLES_PAGE)
    start = page.next_start[0] if page.next_start else None
    next_url = _page_url(request, reverse("api:articles"), before=start)
    return Response({"results": [_article_summary(a) for a in page.rows], "next": next_url})


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([has_perms("sources.view_article")])
def article_detail(request: Request, pk: int) -> Response:
    """An article's metadata and text, and the spans of its claims (chrome included, labelled)."""
    article = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    claims = article.claims.current().order_by("start", "id")
    return Response(
        article_record(article)
        | {
            "claims": [
                {"id": c.pk, "start": c.start, "end": c.end, "kind": c.kind, "status": c.status}
                for c in claims.only("id", "start", "end", "kind", "status")
            ]
        }
    )


@extend_schema(operation_id="publishers_list", responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([has_perms("sources.view_publisher")])
def publisher_list(request: Request) -> Response:
    """The whole registry (some thousand rows), by name."""
    publishers = Publisher.objects.for_registry()
    return Response({"results": [publisher_record(p) for p in publishers]})


@extend_schema(request=form_serializer(PublisherForm, "PublisherPatch"), responses={200: dict})
@api_view(["PATCH"])
@permission_classes([has_perms("sources.change_publisher")])
def publisher_detail(request: Request, pk: int) -> Response:
    """A lead's change to a registry entry (the fields given, and a `reason`)."""
    publisher = get_object_or_404(Publisher, pk=pk)
    current = PublisherForm(instance=publisher).initial
    given = {
        k: "\n".join(v) if k in ("aliases", "domains") and isinstance(v, list) else v
        for k, v in request.data.items()
    }
    form = PublisherForm(_merged(current, given), instance=publisher)
    _valid(form)
    try:
        sources_services.publisher_update(
            publisher=publisher,
            by=request.user,
            reason=form.cleaned_data["reason"],
            **form.service_fields(),
        )
    except ValidationError as exc:
        raise ApiError("invalid", error_text(exc, form)) from exc
    publisher.refresh_from_db()
    return Response(publisher_record(publisher))


# --- Exports ---------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("format", str, enum=list(FORMATS)),
        OpenApiParameter("notes", str, enum=["0", "1"]),
        *QUEUE_PARAMETERS[:-2],
    ],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
)
@api_view(["GET"])
@permission_classes([has_perms(*EXPORT_PERMS)])
def export(request: Request):
    """The claims of a filter streamed as the web's export does (recorded, origin "api")."""
    fmt = request.query_params.get("format", "jsonl")
    if fmt not in FORMATS:
        raise ApiError("invalid_parameter", f"format: choose one of {', '.join(FORMATS)}.")
    return export_response(request._request, request.query_params, fmt=fmt, origin="api")


# --- Imports ---------------------------------------------------------------------------------

IMPORT_FILES_PAGE = 200
FILES_IN_ORDER = Keyset(descending=False)


@extend_schema(
    request={"multipart/form-data": form_serializer(ImportForm, "ImportInput")},
    responses={201: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
@permission_classes([has_perms("sources.import_articles")])
def import_create(request: Request) -> Response:
    """Upload files (zips too; `manifest` optional; `default_publisher`, `default_published`)
    as a batch the workers import; 201 with where to follow it."""
    form = ImportForm(request.POST, request.FILES)
    data = _valid(form)
    batch = import_batch_create_from_uploads(
        files=data["files"],
        by=request.user,
        default_publisher=data["default_publisher"],
        default_published=data["default_published"],
        manifest=data["manifest"],
    )
    response = Response(_batch_record(request, batch), status=201)
    response["Location"] = request.build_absolute_uri(reverse("api:import", args=[batch.pk]))
    return response


# The fields of a batch's file that its API record shows (read with `.only()` of this list).
IMPORT_FILE_FIELDS = (
    "id",
    "name",
    "size",
    "outcome",
    "reason",
    "article",
    "duplicate_of",
    "claims_created",
)


def _file_record(file: ImportFile) -> dict:
    return {
        "id": file.pk,
        "name": file.name,
        "size": file.size,
        "outcome": file.outcome,
        "reason": file.reason,
        "article_id": file.article_id,
        "duplicate_of": file.duplicate_of_id,
        "claims_created": file.claims_created,
    }


def _batch_record(request: Request, batch: ImportBatch, files=None, next_url=None) -> dict:
    progress = import_batch_progress(batch=batch)
    worker = import_worker_report(batch=batch, progress=progress)
    record = {
        "id": batch.pk,
        "url": request.build_absolute_uri(reverse("api:import", args=[batch.pk])),
        "page": request.build_absolute_uri(reverse("imports:batch", args=[batch.pk])),
        "status": batch.status,
        "finished": progress.finished,
        "worker": worker.state or "ok",
        "counts": {
            "total": progress.total,
            "pending": progress.pending,
            "imported": progress.imported,
            "duplicate": progress.duplicate,
            "rejected": progress.rejected,
            "claims": progress.claims,
        },
        "notices": batch.notices,
    }
    if files is not None:
        record["files"] = [_file_record(f) for f in files]
        record["next"] = next_url
    return record


@extend_schema(
    parameters=[
        OpenApiParameter("outcome", str, enum=list(ImportOutcome.values)),
        OpenApiParameter("after", int, description="The file id the next page starts after."),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@permission_classes([has_perms("sources.import_articles")])
def import_detail(request: Request, pk: int) -> Response:
    """A batch's progress, its worker's state and its files' outcomes (200 a page)."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    qs = ImportFile.objects.filter(batch=batch).only(*IMPORT_FILE_FIELDS)
    if (outcome := request.query_params.get("outcome", "")) in ImportOutcome.values:
        qs = qs.filter(outcome=outcome)
    after = parse_id(request.query_params.get("after", ""))
    page = FILES_IN_ORDER.page(qs, (after,) if after else None, size=IMPORT_FILES_PAGE)
    start = page.next_start[0] if page.next_start else None
    next_url = _page_url(request, reverse("api:import", args=[pk]), after=start)
    return Response(_batch_record(request, batch, page.rows, next_url))
