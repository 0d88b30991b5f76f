"""Where webhooks may go (workbench.outbound): public addresses only, unless allowed."""

from __future__ import annotations

import socket

import pytest

from workbench.outbound import URLRefused, check_url


def resolving(monkeypatch, answers: dict[str, list[str]]):
    """Make getaddrinfo answer `answers` for those names (others as usual); count the calls."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def fake(host, port, *args, **kwargs):
        if host in answers:
            calls.append(host)
            family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
            return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("http://[::1]:8080/hook", "::1 is a loopback address"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://192.168.0.10/hook", "192.168.0.10 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
        ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
        ("http://240.0.0.1/hook", "240.0.0.1 is a private address"),
        ("http://100.64.0.1/hook", "100.64.0.1 is a non-public address"),
        # An IPv4 address in IPv6 clothes is judged as the IPv4 one.
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback address"),
    ],
)
def test_non_public_address_is_refused_naming_it(settings, url, why):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(URLRefused, match="^" + why.replace(".", r"\.").replace("[", r"\[")):
        check_url(url, purpose="webhooks")


def test_a_name_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    resolving(monkeypatch, {"intranet.example": ["93.184.215.14", "10.0.0.5"]})
    with pytest.raises(URLRefused) as refused:
        check_url("https://intranet.example/hook", purpose="webhooks")
    assert str(refused.value).startswith(
        "intranet.example resolves to 10.0.0.5, a private address: webhooks go to public"
    )


def test_a_public_address_is_accepted_and_is_where_to_connect(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    resolving(monkeypatch, {"hooks.example": ["93.184.215.14"]})
    target = check_url("https://hooks.example:8443/in?x=1")
    assert target.address == "93.184.215.14"
    assert str(target.connect_url) == "https://93.184.215.14:8443/in?x=1"


def test_private_addresses_are_allowed_by_the_setting(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    assert check_url("http://127.0.0.1:9/hook").address == "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://93.184.215.14/x", "the scheme must be http or https, not 'ftp'"),
        ("file:///etc/passwd", "the scheme must be http or https, not 'file'"),
        ("http:///nohost", "the URL has no host"),
    ],
)
def test_other_schemes_and_hostless_urls_are_refused(settings, url, why):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # refused for what they are, not where
    with pytest.raises(URLRefused, match=why):
        check_url(url, purpose="webhooks")


def test_a_name_that_does_not_resolve_is_refused(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    with pytest.raises(URLRefused, match=r"^no-such-host\.invalid does not resolve"):
        check_url("https://no-such-host.invalid/hook")
