"""Small HTTP helpers shared by the apps' views."""

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """Return the `next` URL of the request if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# An id no row has, substituted in a reversed URL: digits only, so nothing quotes it.
_PLACEHOLDER = 9_876_543_210_123


def url_for_ids(name: str) -> Callable[[int], str]:
    """Return a function giving the URL `name` for an id: one reverse() for a page of rows.

    For URL patterns whose one argument is an id (`<int:pk>`); a list page builds each row's
    links with it instead of calling reverse() (or `{% url %}`) once a row and a link.
    """
    prefix, suffix = reverse(name, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return lambda pk: f"{prefix}{pk}{suffix}"
