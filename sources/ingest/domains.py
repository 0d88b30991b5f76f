"""Hosts and registrable domains of URLs: the unit a publisher's web site is known by.

Plain Python (no Django). tldextract runs on its bundled copy of the Public Suffix List — no
network — with the private suffixes included, so `foo.blogspot.com` is its own site while
`lite.cnn.com`, `amp.scmp.com`, `m.`/`in.`/language editions and any path all reduce to the
outlet's registrable domain.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

# The one shape of a host name: dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$", re.IGNORECASE)
_IP_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def host_of(url_or_host: str) -> str:
    """Return the host of a URL or host, lower-cased, without port or user; "" if it has none.

    The one URL-host parser: schemeless ("example.org/news"), protocol-relative
    ("//example.org") and bare hosts are read alike; an IPv6 literal gives "".
    """
    value = (url_or_host or "").strip().lower()
    if not value or any(c.isspace() for c in value):
        return ""
    if "://" in value:
        value = value.split("://", 1)[1]
    elif value.startswith("//"):
        value = value[2:]
    for sep in "/?#":
        value = value.split(sep, 1)[0]
    value = value.rsplit("@", 1)[-1]  # user:password@host
    if value.startswith("["):  # IPv6 literal
        return ""
    value = value.split(":", 1)[0]  # port
    return value.strip(".")


@lru_cache(maxsize=8192)
def registrable_domain(url_or_host: str) -> str:
    """Return the registrable domain ("scmp.com", "foo.blogspot.com") of a URL or host, or ""."""
    host = host_of(url_or_host)
    if "." not in host:
        return ""
    parts = _EXTRACT(host)
    domain = getattr(parts, "top_domain_under_public_suffix", None)
    if domain is None:  # tldextract < 5.2
        domain = parts.registered_domain
    if domain:
        return domain
    # An IP address, or a name under no known suffix: the host itself is the site.
    return host if parts.domain and not parts.suffix else ""


def listed_host(value: str) -> str:
    """Return a domain as the registry lists it: the host of a URL or domain, without "www.".

    "https://WWW.Example.org/news" → "example.org"; "en.people.cn" stays. Whether the result
    is a host at all is `is_host`'s to say.
    """
    return host_of(value).removeprefix("www.")


def is_host(value: str, *, allow_ip: bool = False) -> bool:
    """Whether `value` is a bare host name ("lite.cnn.com", "orevault.example").

    Shape only, so invented and new top-level domains count; an IPv4 address counts only
    with `allow_ip`.
    """
    value = (value or "").strip()
    if not _HOST_RE.match(value):
        return False
    return allow_ip or not _IP_RE.match(value)


def looks_like_domain(value: str) -> bool:
    """Whether a line or field is only a site's address without a scheme.

    "www.harbourpost.example", "harbourpost.example/business/" yes; "Harbour Post",
    "3.127.128.221" (an IP names no site) no.
    """
    value = (value or "").strip()
    if any(c.isspace() for c in value):
        return False
    host = value.split("/", 1)[0]
    return is_host(host.removeprefix("www.").removeprefix("WWW."))


def looks_like_address(value: str) -> bool:
    """Whether a name is really an address: a URL, "www.…", or a domain ("x.com: news")."""
    value = (value or "").strip()
    if _SCHEME_RE.match(value) or value.lower().startswith("www."):
        return True
    return is_host(re.split(r"[/:?#]", value, maxsplit=1)[0], allow_ip=True)
