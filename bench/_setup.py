"""Shared set-up for benchmarks: a dedicated PostgreSQL database, migrated, and Django ready."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/workbench_bench"


def django_setup(*, fresh: bool) -> str:
    """Point Django at the bench database (BENCH_DATABASE_URL), optionally recreated empty."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    if url.startswith("postgres"):
        _create_postgres(url, drop=fresh)
    elif url.startswith("sqlite:///") and fresh:
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _create_postgres(url: str, *, drop: bool) -> None:
    """Create the bench database if it is missing (on a fresh machine); `drop` empties it first."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_gunicorn(url: str, *, workers: int, timeout: int = 30, **extra: str):
    """Serve the app with gunicorn on a free loopback port in production mode over plain HTTP.

    Collects the static files with the production settings first (a fresh clone has none, and
    production mode answers 500 on every page without their manifest), waits for /healthz, then
    checks that the login page itself answers 200: a bench that measures 500s measures nothing,
    so any other answer stops the bench with gunicorn's last log lines. Login throttling is off:
    benches log in many simulated users from one address. Returns (process, base URL, env).
    """
    import socket
    import subprocess
    import tempfile
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "AXES_ENABLED": "0",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if collected.returncode != 0:
        raise SystemExit(f"bench: collectstatic failed:\n{collected.stderr.strip()}")
    log = Path(tempfile.mkdtemp(prefix="wb-gunicorn-")) / "gunicorn.log"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "workbench.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(workers), "--timeout", str(timeout)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.25)
    try:
        status = urllib.request.urlopen(base + "/accounts/login/", timeout=10).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        status = f"unreachable ({exc})"
    if status != 200:
        server.terminate()
        server.wait(timeout=20)
        tail = log.read_text(errors="replace").strip().splitlines()[-25:]
        raise SystemExit(
            f"bench: gunicorn's login page answered {status}, not 200; its log ({log}):\n"
            + "\n".join(tail)
        )
    return server, base, env
