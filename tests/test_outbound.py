"""The outbound guard (workbench.outbound): every refusal, the pinning, each redirect hop."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.local_site import loopback_counts_as_public, start_site
from workbench import outbound
from workbench.outbound import URLRefused, check_url


@pytest.fixture
def site():
    site, stop = start_site()
    yield site
    stop()


@pytest.fixture
def strict(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    return settings


def resolving(monkeypatch, answers: dict[str, list[list[str]]]):
    """getaddrinfo answers each listed name with the next of its answer lists (the last
    repeats: a DNS server that changes its answer); other names as usual. Counts lookups."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def fake(host, port, *args, **kwargs):
        if host in answers:
            calls.append(host)
            queue = answers[host]
            current = queue.pop(0) if len(queue) > 1 else queue[0]
            family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
            return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in current]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),  # reserved (Python files 240/4 under private too)
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("192.0.2.1", "private"),  # documentation
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),  # unique local
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),  # documentation
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: judged as the IPv4 address
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
    ],
)
def test_every_non_public_address_is_refused_naming_it(strict, address, kind):
    host = f"[{address}]" if ":" in address else address
    article = "an" if kind[0] in "aeiou" else "a"
    with pytest.raises(URLRefused) as refused:
        check_url(f"http://{host}:8080/page", purpose="captures")
    assert str(refused.value) == (
        f"{address} is {article} {kind} address: captures go to public addresses only "
        "(OUTBOUND_ALLOW_PRIVATE_URLS allows others)."
    )


def test_a_name_with_any_private_answer_is_refused(strict, monkeypatch):
    resolving(monkeypatch, {"mixed.example": [["93.184.215.14", "fd12::7"]]})
    with pytest.raises(URLRefused, match=r"^mixed\.example resolves to fd12::7, a private address"):
        check_url("https://mixed.example/")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://93.184.215.14/x", "the scheme must be http or https, not 'ftp'"),
        ("file:///etc/passwd", "the scheme must be http or https, not 'file'"),
        ("gopher://93.184.215.14/", "the scheme must be http or https, not 'gopher'"),
        ("http:///nohost", "the URL has no host"),
        ("http://[zz]/", "not a URL"),
    ],
)
def test_other_schemes_hostless_and_broken_urls_are_refused_even_when_private_allowed(
    settings, url, why
):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = True
    with pytest.raises(URLRefused, match=why):
        check_url(url)


def test_the_old_setting_name_still_allows_private_addresses(strict):
    strict.WEBHOOK_ALLOW_PRIVATE_URLS = True
    assert check_url("http://127.0.0.1:9/").address == "127.0.0.1"


def test_the_new_setting_allows_private_addresses(strict):
    strict.OUTBOUND_ALLOW_PRIVATE_URLS = True
    assert check_url("http://10.0.0.1:9/").address == "10.0.0.1"


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    strict, site, monkeypatch
):
    """Resolved once: a DNS server that answers the check with a public address and a
    second lookup with another never gets that second lookup."""
    loopback_counts_as_public(monkeypatch)
    calls = resolving(monkeypatch, {"news.test": [["127.0.0.1"], ["10.0.0.9"]]})
    site.route("/story", b"<p>hello</p>")
    with outbound.client(timeout=5, purpose="captures") as client:
        response = client.get(f"http://news.test:{site.port}/story")
    assert response.status_code == 200
    assert calls == ["news.test"]
    ((path, headers),) = site.requests
    assert (path, headers["host"]) == ("/story", f"news.test:{site.port}")
    assert str(response.url) == f"http://news.test:{site.port}/story"  # the name, not the IP


def test_a_redirect_to_a_private_address_is_refused_before_it_is_requested(
    strict, site, monkeypatch
):
    loopback_counts_as_public(monkeypatch)
    site.redirect("/go", "http://169.254.169.254/latest/meta-data/")
    with (
        outbound.client(timeout=5, purpose="captures", follow_redirects=True) as client,
        pytest.raises(URLRefused, match=r"^169\.254\.169\.254 is a link-local address"),
    ):
        client.get(site.url("/go"))
    assert site.paths() == ["/go"]


def test_a_redirect_to_a_name_resolving_privately_is_refused(strict, site, monkeypatch):
    loopback_counts_as_public(monkeypatch)
    resolving(monkeypatch, {"intranet.test": [["192.168.1.20"]]})
    site.redirect("/go", "http://intranet.test/admin")
    with (
        outbound.client(timeout=5, purpose="captures", follow_redirects=True) as client,
        pytest.raises(URLRefused, match=r"^intranet\.test resolves to 192\.168\.1\.20"),
    ):
        client.get(site.url("/go"))


def test_a_redirect_to_another_scheme_is_refused(strict, site, monkeypatch):
    loopback_counts_as_public(monkeypatch)
    site.redirect("/go", "ftp://93.184.215.14/file")
    with (
        outbound.client(timeout=5, purpose="captures", follow_redirects=True) as client,
        pytest.raises((URLRefused, httpx.UnsupportedProtocol)),
    ):
        client.get(site.url("/go"))
    assert site.paths() == ["/go"]


def test_relative_redirects_are_followed_on_the_original_host(strict, site, monkeypatch):
    loopback_counts_as_public(monkeypatch)
    resolving(monkeypatch, {"news.test": [["127.0.0.1"]]})
    site.redirect("/old", "/new")
    site.route("/new", b"moved here")
    with outbound.client(timeout=5, purpose="captures", follow_redirects=True) as client:
        response = client.get(f"http://news.test:{site.port}/old")
    assert response.text == "moved here"
    assert str(response.url) == f"http://news.test:{site.port}/new"
    assert [h["host"] for _, h in site.requests] == [f"news.test:{site.port}"] * 2


def test_a_public_address_is_accepted_and_is_where_to_connect(strict, monkeypatch):
    resolving(monkeypatch, {"hooks.example": [["93.184.215.14"]]})
    target = check_url("https://hooks.example:8443/in?x=1")
    assert target.address == "93.184.215.14"
    assert str(target.connect_url) == "https://93.184.215.14:8443/in?x=1"


def test_a_name_that_does_not_resolve_is_refused(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = True  # refused for not resolving, not for where
    with pytest.raises(URLRefused, match=r"^no-such-host\.invalid does not resolve"):
        check_url("https://no-such-host.invalid/hook")
