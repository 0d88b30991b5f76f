"""The registrable domain of a URL or host: the unit a publisher's web site is known by.

Plain Python (no Django). tldextract runs on its bundled copy of the Public Suffix List — no
network — with the private suffixes included, so `foo.blogspot.com` is its own site while
`lite.cnn.com`, `amp.scmp.com`, `m.`/`in.`/language editions and any path all reduce to the
outlet's registrable domain.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def _host(url_or_host: str) -> str:
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
    host = _host(url_or_host)
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
