"""Requests the workbench makes to URLs users give it: public addresses only, pinned.

Webhooks POST to endpoints an admin registers; evidence captures GET pages a reviewer cites.
Both must not be a way into the workbench's own network (the database, a cloud's metadata
service at 169.254.169.254), so both go through this one guard:

- only http and https;
- the URL's host is resolved once (`socket.getaddrinfo`) and every address it resolves to
  must be public: a loopback, private, link-local, multicast, reserved, unspecified or
  otherwise not globally routable address is refused, naming the address and why. An IPv6
  address that maps an IPv4 one (::ffff:a.b.c.d) is judged as that IPv4 address;
- the connection goes to the address that was checked (`Target.connect_url`: the host
  replaced by the address, the Host header and the TLS server name kept), so a name that
  answers a public address to the check and a private one to the connection (DNS
  rebinding) gets nowhere;
- `PinnedTransport` does the check and the pinning for every request an httpx client sends,
  so when the client follows redirects each hop is checked and pinned again.

OUTBOUND_ALLOW_PRIVATE_URLS=1 (or the older WEBHOOK_ALLOW_PRIVATE_URLS=1, still read) lets
tests and development reach servers on loopback. The scheme is checked whatever it says.

Our own code: the SSRF-guard packages wrap `requests` or urllib3, not httpx, and this is a
resolution, a few `ipaddress` predicates and a transport.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass

import httpx
from django.conf import settings

SCHEMES = ("http", "https")


class URLRefused(ValueError):
    """A URL the workbench may not request; the message says why."""


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


def private_urls_allowed() -> bool:
    """Whether non-public addresses may be requested (tests, development)."""
    return bool(
        getattr(settings, "OUTBOUND_ALLOW_PRIVATE_URLS", False)
        or getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False)
    )


def why_not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What kind of non-public address `address` is ("loopback", …), None if it is public."""
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


def check_url(url: str | httpx.URL, *, purpose: str = "requests") -> Target:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address;
    return the address to connect to (the first the resolver gave).

    `purpose` names what is refused in the message ("webhooks go to public addresses only").
    """
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
    if not private_urls_allowed():
        for address in addresses:
            why = why_not_public(ipaddress.ip_address(address))
            if why is not None:
                kind = f"{'an' if why[0] in 'aeiou' else 'a'} {why} address"
                what = (
                    f"{address} is {kind}"
                    if parsed.host == address
                    else f"{parsed.host} resolves to {address}, {kind}"
                )
                raise URLRefused(
                    f"{what}: {purpose} go to public addresses only "
                    "(OUTBOUND_ALLOW_PRIVATE_URLS allows others)."
                )
    return Target(url=str(parsed), host=parsed.host, address=addresses[0])


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport that checks every request's URL and connects to the checked address.

    The request the client made is left as it is (the client joins a relative redirect to
    it); the one sent carries the address in its URL, the Host header of the original and,
    for https, the original host as TLS server name, so certificates are verified for it.
    Raises `URLRefused` (not an httpx error) for a URL that may not be requested.
    """

    def __init__(self, *, purpose: str = "requests", **kwargs) -> None:
        super().__init__(**kwargs)
        self.purpose = purpose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = check_url(request.url, purpose=self.purpose)
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = target.host
        pinned = httpx.Request(
            request.method,
            target.connect_url,
            headers=request.headers,  # Host: the original's, set when the client built it
            stream=request.stream,
            extensions=extensions,
        )
        return super().handle_request(pinned)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context of every outbound client (certificates verified, the CA bundle loaded
    once): building one costs about 0.1 s, more than a capture's fetch on a fast site."""
    return httpx.create_ssl_context()


def client(*, timeout: float | httpx.Timeout, purpose: str, **kwargs) -> httpx.Client:
    """An httpx client whose every request (each redirect hop too) goes through the guard.

    `trust_env=False`: a proxy from the environment would make the connection, not us.
    """
    return httpx.Client(
        transport=PinnedTransport(purpose=purpose, verify=tls_context()),
        timeout=timeout,
        trust_env=False,
        **kwargs,
    )
