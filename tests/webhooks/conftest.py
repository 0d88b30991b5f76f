"""Fixtures of the webhook tests: an admin, endpoints, and a real receiver on loopback."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# A public address that needs no DNS: endpoints saved with it pass the check without the
# network (nothing is sent to it in these tests).
PUBLIC_URL = "https://93.184.215.14/hooks/workbench"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 in a thread: answers each POST with the next of `answers`
    (a status code, or (status, headers)); 200 once they run out. Keeps every request."""

    host: str = "127.0.0.1"
    port: int = 0
    answers: list = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Received(self.path, headers, body))
            answer = state.answers.pop(0) if state.answers else 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    """Let endpoints be on loopback, as the receiver is (WEBHOOK_ALLOW_PRIVATE_URLS)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    return settings


@pytest.fixture
def admin_user(make_user):
    return make_user("ada", "admin")


@pytest.fixture
def aclient(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def make_endpoint(admin_user):
    from webhooks.services import endpoint_create
    from workbench.events import EVENT_TYPES

    def make(url: str = PUBLIC_URL, events=None, **kwargs):
        events = list(EVENT_TYPES) if events is None else events
        return endpoint_create(url=url, events=events, by=admin_user, **kwargs)

    return make
