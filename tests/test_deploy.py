"""Production mode: deploy checks, gunicorn + WhiteNoise, health endpoint, logs, throttling."""

import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db.utils import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "p" * 20 + "-production-secret-for-tests-" + "q" * 20,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_ENV_FILE": "",  # a production checkout has no development .env
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    dropped = {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last: browser tests
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # A scratch database of its own: DATABASE_URL may name one that does not exist (CI).
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    return env | PRODUCTION | extra


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_secure(tmp_path):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SESSION_ENGINE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="workbench.settings", BEHIND_PROXY="1")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "django.contrib.sessions.backends.db",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # let the test see the 301/302 itself


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_gunicorn_serves_the_app_and_whitenoise_the_static_files(tmp_path):
    env = _env(tmp_path, BEHIND_PROXY="1", LOG_FORMAT="json")
    assert _manage(env, "migrate", "--no-input").returncode == 0
    assert _manage(env, "collectstatic", "--no-input").returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "workbench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        https = {"X-Forwarded-Proto": "https"}
        for _ in range(60):
            try:
                status, _, body = _get(f"http://127.0.0.1:{port}/healthz", https)
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        status, headers, _ = _get(f"http://127.0.0.1:{port}/claims/", https)
        assert status == 302 and "/accounts/login/" in headers["Location"]
        assert "max-age=31536000" in headers.get("Strict-Transport-Security", "")
        status, headers, _ = _get(f"http://127.0.0.1:{port}/claims/")  # plain http
        assert status == 301 and headers["Location"].startswith("https://")
        status, _, page = _get(f"http://127.0.0.1:{port}/accounts/login/", https)
        stylesheets = re.findall(r'href="/static/css/([^"]+)"', page.decode())
        css = next(name for name in stylesheets if name.startswith("app."))
        assert re.fullmatch(r"app\.[0-9a-f]{12}\.css", css)  # hashed name (manifest)
        status, headers, _ = _get(f"http://127.0.0.1:{port}/static/css/{css}", https)
        assert status == 200 and "immutable" in headers.get("Cache-Control", "")
        status, headers, _ = _get(f"http://127.0.0.1:{port}/favicon.ico", https)
        icon = headers["Location"]
        assert status == 302 and re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", icon)
        status, headers, _ = _get(f"http://127.0.0.1:{port}{icon}", https)
        assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_health_endpoint_reports_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_endpoint_fails_when_the_database_is_down(monkeypatch):
    from django.db import connection

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}


def test_json_log_lines_carry_extras_and_exceptions():
    from workbench.logs import JsonFormatter

    try:
        raise ValueError("bad input")
    except ValueError:
        record = logging.getLogger("workbench.test").makeRecord(
            "workbench.test",
            logging.ERROR,
            __file__,
            1,
            "import %s failed",
            ("a.txt",),
            sys.exc_info(),
            extra={"batch": 7},
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "import a.txt failed"
    assert entry["level"] == "ERROR" and entry["logger"] == "workbench.test"
    assert entry["batch"] == 7
    assert "ValueError: bad input" in entry["exception"]


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("tess", "reviewer")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "tess", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post("/accounts/login/", {"username": "tess", "password": user.raw_password})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="203.0.113.10")
    ok = other.post("/accounts/login/", {"username": "tess", "password": user.raw_password})
    assert ok.status_code == 302  # the lock is per username and address


# What the settings module makes of BEHIND_PROXY for reading a client's address.
ADDRESS_SETTINGS = (
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_TRUSTED_IPS",
    "IPWARE_STRICT",
)
PROXY = "10.0.0.2"  # behind the proxy every connection comes from its address


@pytest.fixture
def address_settings(settings, tmp_path):
    """Apply the address settings that workbench/settings.py gives with BEHIND_PROXY on or off.

    They are read from a fresh process started with that environment, so the tests below pin
    what a deployment gets, not values written out again here.
    """

    def apply(behind_proxy: bool) -> None:
        code = (
            "import django, json; django.setup(); from django.conf import settings as s;"
            f"names = {ADDRESS_SETTINGS!r};"
            "print(json.dumps({n: getattr(s, n) for n in names if hasattr(s, n)}))"
        )
        proxy = "1" if behind_proxy else "0"
        env = _env(tmp_path, DJANGO_SETTINGS_MODULE="workbench.settings", BEHIND_PROXY=proxy)
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        for name, value in json.loads(out.stdout).items():
            setattr(settings, name, value)
        settings.AXES_FAILURE_LIMIT = 3

    return apply


def _log_in(client: Client, user, password: str | None = None, forwarded_for: str = ""):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    data = {"username": user.username, "password": password or user.raw_password}
    return client.post("/accounts/login/", data, headers=headers)


@pytest.mark.django_db
def test_behind_a_proxy_each_client_is_throttled_by_its_own_address(address_settings, make_user):
    address_settings(behind_proxy=True)
    user = make_user("tess", "reviewer")
    client_a, client_b = Client(REMOTE_ADDR=PROXY), Client(REMOTE_ADDR=PROXY)
    for _ in range(3):
        _log_in(client_a, user, "wrong", forwarded_for="203.0.113.5")
    assert _log_in(client_a, user, forwarded_for="203.0.113.5").status_code == 429
    # Entries before the one the proxy appended are the client's own: they change nothing.
    forged = _log_in(client_a, user, forwarded_for="198.51.100.7, 203.0.113.5")
    assert forged.status_code == 429
    # Another client behind the same proxy logs in as the same user: not locked out.
    assert _log_in(client_b, user, forwarded_for="198.51.100.7").status_code == 302
    assert "_auth_user_id" in client_b.session


@pytest.mark.django_db
def test_without_a_proxy_a_forwarded_for_header_is_ignored(address_settings, make_user):
    address_settings(behind_proxy=False)
    user = make_user("tess", "reviewer")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        _log_in(client, user, "wrong", forwarded_for=f"198.51.100.{n + 1}")
    # A new X-Forwarded-For does not make it another client: still locked out.
    locked = _log_in(client, user, forwarded_for="198.51.100.200")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
