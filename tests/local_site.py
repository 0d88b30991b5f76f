"""A web site on 127.0.0.1 for tests that fetch URLs: routes set per test, every request kept.

`site.route(path, body=..., status=..., headers=...)` serves a page; `body` may be a callable
(called per request: a page that changes), `delay` makes a slow answer and `chunks` streams
a body in pieces (a huge one that never says its length). Used by tests/test_outbound.py
and tests/evidence/.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workbench import outbound


@dataclass
class Route:
    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: int = 0  # > 0: send `body` this many times, chunked, without a length


@dataclass
class LocalSite:
    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body=b"",
        *,
        status=200,
        content_type="text/html; charset=utf-8",
        headers=None,
        delay=0.0,
        chunks=0,
    ) -> str:
        self.routes[path] = Route(
            body=body,
            status=status,
            headers={"content-type": content_type, **(headers or {})},
            delay=delay,
            chunks=chunks,
        )
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.route(path, b"", status=status, headers={"location": to})

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def start_site() -> tuple[LocalSite, Callable[[], None]]:
    """Start a LocalSite in a thread; return it and the function that stops it."""
    site = LocalSite()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = site.routes.get(self.path)
            if route is None:
                route = Route(
                    body=b"<html><body>no such page</body></html>",
                    status=404,
                    headers={"content-type": "text/html"},
                )
            if route.delay:
                time.sleep(route.delay)
            body = route.body() if callable(route.body) else route.body
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.chunks:
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                try:
                    for _ in range(route.chunks):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(body), body))
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: what a size limit does
                return
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return site, stop


def loopback_counts_as_public(monkeypatch) -> None:
    """Let the test site on 127.0.0.1 pass the outbound guard as public while every other
    address is judged as in production (a redirect to 10.0.0.1 is still refused)."""
    real = outbound.why_not_public

    def judge(address):
        if address == ipaddress.ip_address("127.0.0.1"):
            return None
        return real(address)

    monkeypatch.setattr(outbound, "why_not_public", judge)
