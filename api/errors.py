"""API errors as JSON with a stable code: `{"error": {"code", "message", …}}`.

The message is the one the web page shows for the same refusal (the services' and forms'
own text); `code` is for programs and never changes with the wording.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims import services


class ApiError(exceptions.APIException):
    """A refusal with its code, status and any detail fields (`changes`, `fields`)."""

    def __init__(self, code: str, message: str, *, status_code: int = 400, **extra) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.error = {"code": code, "message": message, **extra}


# A service's refusal → (code, HTTP status). The message is the exception's own.
SERVICE_ERRORS: dict[type[Exception], tuple[str, int]] = {
    services.ReasonRequired: ("reason_required", 400),
    services.EvidenceRequired: ("evidence_required", 409),
    services.ClaimRefused: ("claim_refused", 409),
}

DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
}


def service_error(exc: Exception) -> ApiError:
    """The API error of a service's refusal (StaleEdit carries what changed)."""
    if isinstance(exc, services.StaleEdit):
        return ApiError("stale_version", str(exc), status_code=409, changes=list(exc.changes))
    for kind, (code, status_code) in SERVICE_ERRORS.items():
        if isinstance(exc, kind):
            return ApiError(code, str(exc), status_code=status_code)
    raise exc


def exception_handler(exc, context):
    """DRF's handler, with every error in one shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ApiError):
        return Response({"error": exc.error}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for kind, c in DRF_CODES.items() if isinstance(exc, kind)), "invalid")
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    error = {"code": code, "message": str(detail) if detail is not None else str(exc)}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        error["retry_after"] = int(exc.wait)
    response.data = {"error": error}
    if response.status_code == status.HTTP_403_FORBIDDEN and code == "invalid":
        error["code"] = "permission_denied"
    return response
