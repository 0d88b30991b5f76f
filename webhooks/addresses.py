"""Where a webhook may be sent: public addresses only, unless WEBHOOK_ALLOW_PRIVATE_URLS.

The URL's host is resolved (`socket.getaddrinfo`) and every address it resolves to must be
public: a loopback, private, link-local, multicast, reserved, unspecified or otherwise not
globally routable address is refused, naming the address and why — so the workbench cannot be
made to POST into its own network (the database, a cloud's metadata service at
169.254.169.254). An IPv6 address that maps an IPv4 one is judged as that IPv4 address.

The check runs when an endpoint is saved and again before every attempt (DNS may have changed
since), and the attempt connects to the address that was checked (`Target.connect_url`: the
host replaced by the address; webhooks.sending keeps the Host header and the TLS server name),
so a name answering a public address to the check and a private one to the connection (DNS
rebinding) gets nowhere. Tests and development set WEBHOOK_ALLOW_PRIVATE_URLS=1 to send to a
receiver on loopback.

Our own code: the SSRF-guard packages wrap `requests` or urllib3, not httpx, and this is a
resolution and a few `ipaddress` predicates.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings

SCHEMES = ("http", "https")


class URLRefused(ValueError):
    """A webhook URL that may not be used; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to for it."""

    url: str
    host: str
    address: str

    @property
    def connect_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address (port, path and query kept)."""
        return httpx.URL(self.url).copy_with(host=self.address)


def _why_not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute, name in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, attribute):
            return name
    if not address.is_global:
        return "non-public"
    return None


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order (an IP literal: itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise URLRefused(f"{host} does not resolve ({exc}).") from exc
    # An IPv6 link-local address comes back with its scope ("fe80::1%eth0"): judge the address.
    return list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))


def check_url(url: str) -> Target:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address;
    return the address to connect to (the first the resolver gave)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise URLRefused(f"not a URL ({exc}).") from exc
    if parsed.scheme not in SCHEMES:
        raise URLRefused(f"the scheme must be http or https, not {parsed.scheme or 'none'!r}.")
    if not parsed.host:
        raise URLRefused("the URL has no host.")
    addresses = resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    if not addresses:
        raise URLRefused(f"{parsed.host} resolves to no address.")
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        for address in addresses:
            why = _why_not_public(ipaddress.ip_address(address))
            if why is not None:
                kind = f"{'an' if why[0] in 'aeiou' else 'a'} {why} address"
                what = (
                    f"{address} is {kind}"
                    if parsed.host == address
                    else f"{parsed.host} resolves to {address}, {kind}"
                )
                raise URLRefused(
                    f"{what}: webhooks go to public addresses only "
                    "(WEBHOOK_ALLOW_PRIVATE_URLS allows others)."
                )
    return Target(url=url, host=parsed.host, address=addresses[0])
