"""Project-level views: the health check load balancers call, the site's icon, accounts pages
that need e-mail, the 400 page (`handler400`)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workbench.templatetags.workbench_tags import FAVICON


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the app can reach its database, 503 otherwise (no login needed)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "take me out of rotation"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def needs_email(view: Callable) -> Callable:
    """Serve `view` only when e-mail reaches someone (settings.EMAIL_ENABLED); else a 404 page
    saying to ask an administrator.

    Django's password reset says "we've e-mailed you instructions" whatever happens to the
    message: without e-mail that promise is false, and the user waits for nothing.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.EMAIL_ENABLED:
            return render(request, "registration/password_reset_off.html", status=404)
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Send a browser asking for /favicon.ico (the admin's pages link none) to the site's icon."""
    return HttpResponseRedirect(static(FAVICON))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page: for an upload of too many files, the site's page saying the limit.

    Django raises `TooManyFilesSent` while it reads the request's files — in the CSRF
    middleware, which reads the form before any view runs — so a view cannot catch it: an
    upload of more than DATA_UPLOAD_MAX_NUMBER_FILES files lands here (Django's own 400 page
    is a bare "Bad Request (400)"). By then every middleware has seen the request, so the
    site's template renders. Other bad requests (a disallowed host: raised before the
    middleware has run) keep Django's page.
    """
    if not isinstance(exception, TooManyFilesSent):
        return defaults.bad_request(request, exception)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    reason = (
        f"Too many files: at most {limit:,} files per upload; zip them and upload the zip "
        "(or upload them in several goes)."
    )
    return render(request, "400.html", {"reason": reason, "back": request.path}, status=400)
