"""Small HTTP helpers shared by the apps' views: reading request values, safe redirects."""

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Ids are 64-bit: a longer number would crash the query (SQLite raises OverflowError).
MAX_ID = 2**63 - 1


def parse_id(raw: str) -> int | None:
    """Return `raw` as a database id (ASCII digits, 1 to 2**63 - 1), or None."""
    raw = raw.strip()
    # str.isdigit() also accepts "²" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


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
