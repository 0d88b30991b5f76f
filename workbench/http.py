"""Small HTTP helpers shared by the apps' views: reading request values, safe redirects."""

from django.http import HttpRequest
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
