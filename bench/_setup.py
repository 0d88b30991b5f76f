"""Shared set-up for benchmarks: their database, production settings, calibration, failing.

Every bench prints `calibration()` first, prepares what it measures itself (its database
created, loaded and vacuumed; static files collected with the production settings), prints a
baseline measured in the same run beside each figure, and stops with `fail()` — exit status
1, the first error on standard error — when the work it measures did not happen.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
# Each bench's database is this prefix + its own name (workbench_bench_1m, _export, …);
# BENCH_DATABASE_URL, when set, overrides it for a single bench.
DEFAULT_PREFIX = "postgres://postgres@127.0.0.1:5432/workbench_bench_"

# Production mode (DEBUG off, hashed static files from their manifest, no query log) over
# plain HTTP on loopback: what every bench measures, through gunicorn or the test client.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # Benches log many simulated users in from one address.
    "AXES_ENABLED": "0",
    # Not a developer's .env (./scripts/run writes one): production reads none.
    "DJANGO_ENV_FILE": "",
}
BENCH_SECRET_KEY = "bench-" + "s" * 50


def fail(message: str) -> NoReturn:
    """Stop the bench: exit status 1 with `message` (the first error) on standard error."""
    sys.stdout.flush()
    raise SystemExit(f"bench: FAILED: {message}")


def verdict(checks: list[tuple[bool, str]]) -> int:
    """Print a fault script's RESULT line; return its exit status (1 if a check failed).

    Each check is (whether it held, what it means when it did not); the first that did not
    hold is printed as the error on standard error, worded as `fail` words it.
    """
    failed = [message for ok, message in checks if not ok]
    print("RESULT              :", "FAIL" if failed else "PASS")
    if failed:
        sys.stdout.flush()
        print(f"bench: FAILED: {failed[0]}", file=sys.stderr)
    return 1 if failed else 0


def database_url(name: str) -> str:
    """The bench database: BENCH_DATABASE_URL if set, else BENCH_DATABASE_PREFIX + name."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    return os.environ.get("BENCH_DATABASE_PREFIX", DEFAULT_PREFIX) + name


def production_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a process serving the app as production would, on `url`."""
    env = os.environ | PRODUCTION_ENV | {"DATABASE_URL": url, **extra}
    env.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def django_setup(*, fresh: bool, name: str = "", url: str = "") -> str:
    """Point Django, in production mode, at the bench database, created (empty if `fresh`).

    The database is `url`, else `database_url(name)`; a missing PostgreSQL database is
    created (a fresh machine has none), a SQLite file removed when `fresh`. Migrated.
    """
    sys.path.insert(0, str(ROOT))
    url = url or database_url(name)
    os.environ.update(production_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    prepare_database(url, drop=fresh)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh and url.startswith("sqlite:///"):
        _keep_sqlite_template(Path(url.removeprefix("sqlite:///")))
    return url


def prepare_database(url: str, *, drop: bool) -> None:
    """Create the database if it is missing; `drop` empties it first (PostgreSQL or SQLite)."""
    if url.startswith("postgres"):
        _create_postgres(url, drop=drop)
    elif url.startswith("sqlite:///") and drop:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if _sqlite_template().exists():
            import shutil

            shutil.copyfile(_sqlite_template(), path)


# SQLite (the benches' own tests, development): a fresh database is a copy of one migrated
# before with the same migrations, kept in var/ — migrating from nothing takes ~15 s.
def _sqlite_template() -> Path:
    import hashlib

    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return ROOT / "var" / f"bench-template-{digest.hexdigest()[:16]}.sqlite3"


def _keep_sqlite_template(path: Path) -> None:
    template = _sqlite_template()
    if template.exists():
        return
    import shutil
    import tempfile

    from django.db import connections

    connections.close_all()  # the last connection checkpoints the WAL into the file
    template.parent.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=template.parent, delete=False) as partial:
        shutil.copyfile(path, partial.name)
    os.replace(partial.name, template)


def _create_postgres(url: str, *, drop: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def vacuum_analyze() -> None:
    """Leave the tables as autovacuum would: visibility map set, planner statistics fresh."""
    from django.db import connection

    from workbench.db import is_postgres

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if is_postgres(connection) else "ANALYZE")


# Collect the static files unless the manifest is newer than every file collectstatic would
# copy: post-processing (hashing, compressing) takes ~20 s even when nothing changed.
_COLLECT = """
import os, django
django.setup()
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
manifest = settings.STATIC_ROOT / "staticfiles.json"
newest = max(
    os.path.getmtime(storage.path(path))
    for finder in get_finders() for path, storage in finder.list([])
)
if not manifest.exists() or manifest.stat().st_mtime <= newest:
    call_command("collectstatic", interactive=False, verbosity=0)
"""


def collect_static(env: dict[str, str] | None = None) -> None:
    """Collect the static files with the production settings (a fresh clone has none)."""
    import subprocess

    env = (env or production_env(os.environ.get("DATABASE_URL", ""))) | {
        "DJANGO_SETTINGS_MODULE": "workbench.settings"
    }
    collected = subprocess.run(
        [sys.executable, "-c", _COLLECT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if collected.returncode != 0:
        fail(f"collectstatic failed:\n{collected.stderr.strip()}")


# --- The machine, so that a figure can be read on any machine -------------------------------

LOOP_ITERATIONS = 1_000_000


def python_loop_ms(repeat: int = 5) -> float:
    """Best time of a fixed pure-Python loop, in ms: one number for this CPU's Python speed."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(LOOP_ITERATIONS):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return best * 1000


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("model name", "Model", "Hardware")):
                    return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def calibration() -> str:
    """One line on the machine: CPU model, cores, a fixed Python loop's time, load average."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine         : {cpu_model()}, {os.cpu_count()} cores ({usable} usable); "
        f"Python loop of {LOOP_ITERATIONS:,} steps {python_loop_ms():.0f} ms (best of 5); "
        f"load average {load:.2f}; Python {platform.python_version()}"
    )


def print_calibration() -> None:
    print(calibration(), flush=True)


# --- Ratios to the baseline --------------------------------------------------------------


def ratio(ours: float, baseline: float) -> float:
    """How many times the baseline's figure ours is (inf when the baseline is 0)."""
    return ours / baseline if baseline else float("inf")


def goal_text(value: float, goal: float | None) -> str:
    """ "goal ≥ 6×: met" / "goal ≥ 6×: NOT MET" / "" when there is no goal."""
    if goal is None:
        return ""
    return f"goal ≥ {goal:g}×: {'met' if value >= goal else 'NOT MET'}"


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
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = production_env(url, **extra)
    collect_static(env)
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
        except urllib.error.HTTPError:
            break  # it answers: the login page below says whether it answers well
        except OSError:
            if server.poll() is not None:
                break
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
        fail(
            f"gunicorn's login page answered {status}, not 200; its log ({log}):\n"
            + "\n".join(tail)
        )
    return server, base, env
