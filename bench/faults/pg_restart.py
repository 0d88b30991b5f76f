"""Fault: PostgreSQL restarts while reviewers work and an import runs. Prints what it saw.

Run:  .venv/bin/python bench/faults/pg_restart.py [--seconds 12]

Starts gunicorn against a scratch database (FAULT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/workbench_faults, recreated), lets four simulated reviewers
browse and add notes while `import_articles` loads synthetic articles, restarts the PostgreSQL
cluster in the middle, and then checks: requests failed cleanly (HTTP 5xx, no hang) and
recovered; every note whose request succeeded exists with its history row; every article has
all its claims and history (no half-written rows); a re-run of the import completes it.
Exits 1 if a check fails, with the first failed check on standard error; refuses to start
on anything but PostgreSQL. Needs root (pg_ctlcluster) — this machine and CI have it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/workbench_faults"

from bench._setup import (  # noqa: E402
    SEEDS_DIR,
    django_setup,
    fail,
    print_calibration,
    start_gunicorn,
    verdict,
)


def restart_postgres() -> float:
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    started = time.perf_counter()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.perf_counter() - started


class Reviewer(threading.Thread):
    """Browse the queue and a claim, add a note; record every outcome with its time."""

    def __init__(
        self, base: str, username: str, password: str, claim_id: int, stop: threading.Event
    ):
        super().__init__(daemon=True)
        self.base, self.claim_id, self.stop = base, claim_id, stop
        self.username, self.password = username, password
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.log: list[tuple[float, str, int]] = []
        self.saved_notes: list[str] = []
        self.logins = 0

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """(status, body); a request that ends on the login page counts as 401 (logged out)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path}
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        if token:
            headers["X-CSRFToken"] = token
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=15) as response:
                landed = urllib.parse.urlsplit(response.geturl()).path
                status = response.status
                if landed.startswith("/accounts/login/") and not path.startswith("/accounts/"):
                    status = 401
                return status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""
        except OSError:
            return 599, ""  # connection refused/reset: the app itself was unreachable

    def login(self) -> bool:
        status, page = self.request("/accounts/login/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            return False
        status, page = self.request(
            "/accounts/login/",
            {"username": self.username, "password": self.password,
             "csrfmiddlewaretoken": found.group(1)},
        )  # fmt: skip
        return status == 200 and 'name="password"' not in page

    def run(self) -> None:
        logged_in = False
        n = 0
        while not self.stop.is_set():
            if not logged_in:
                logged_in = self.login()
                self.logins += 1
                if not logged_in:
                    time.sleep(0.2)
                    continue
            n += 1
            for path, data in (
                ("/claims/", None),
                (f"/claims/{self.claim_id}/", None),
                (f"/claims/{self.claim_id}/notes/", {"text": f"{self.username} note {n}"}),
            ):
                status, _ = self.request(path, data)
                self.log.append(
                    (time.perf_counter(), path if data is None else "POST note", status)
                )
                if status == 401:
                    logged_in = False
                    break
                # Acknowledged: the redirect after saving landed on the claim page.
                if data is not None and status < 400:
                    self.saved_notes.append(data["text"])
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--articles", type=int, default=400)
    args = parser.parse_args()

    url = os.environ.get("FAULT_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        fail(f"this fault restarts PostgreSQL; FAULT_DATABASE_URL must be one ({url})")
    print_calibration()
    url = django_setup(fresh=True, url=url)
    from django.core.management import call_command

    from bench.corpus import sentence_pool, write_corpus
    from claims.models import Claim, Note
    from imports.in_process import articles_import
    from sources.models import Article

    articles_import([(p.name, p.read_bytes()) for p in SEEDS_DIR.glob("*.txt")], by=None)
    password = "fault-Test-password-1"
    for n in range(4):
        call_command("create_user", f"rev{n}", role="reviewer", password=password, verbosity=0)
    claim_id = Claim.objects.triageable().order_by("-score").values_list("pk", flat=True)[0]

    server, base, env = start_gunicorn(url, workers=3)

    corpus = Path(tempfile.mkdtemp(prefix="wb-fault-"))
    write_corpus(sentence_pool(SEEDS_DIR), corpus, args.articles, seed=11)
    started = time.perf_counter()
    stop = threading.Event()
    reviewers = [Reviewer(base, f"rev{n}", password, claim_id, stop) for n in range(4)]
    for r in reviewers:
        r.start()
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", str(corpus), "--jobs", "1"],
        cwd=ROOT,
        env=env | {"DJANGO_DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Restart once the import is storing articles (at the latest after a third of the run),
    # so the fault lands in the middle of it.
    stored_before = Article.objects.count()
    deadline = started + args.seconds / 3
    while time.perf_counter() < deadline and importer.poll() is None:
        if Article.objects.count() > stored_before:
            break
        time.sleep(0.05)
    from django.db import connections

    connections.close_all()
    import_running = importer.poll() is None
    restart_at = time.perf_counter() - started
    restart_took = restart_postgres()
    # However short the run asked for, the reviewers keep working until 4 s after the database
    # is back (the restart can outlast the run): recovery is judged on requests sent more than
    # 2 s after the restart.
    time.sleep(max(started + args.seconds - time.perf_counter(), 4.0))
    stop.set()
    for r in reviewers:
        r.join()
    import_out, _ = importer.communicate(timeout=600)
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()

    log = sorted((t - started, what, status) for r in reviewers for t, what, status in r.log)
    failures = [(t, what, s) for t, what, s in log if s >= 500]
    after = [s for t, _, s in log if t > restart_at + restart_took + 2]
    first_ok_after = next(
        (
            t
            for t, _, s in log
            if t > restart_at and s < 400 and t > (failures[-1][0] if failures else 0)
        ),
        None,
    )
    print(f"database            : {url}")
    print(f"postgres restarted  : at {restart_at:.1f} s, took {restart_took:.1f} s")
    print(f"requests            : {len(log)}, by status {dict(Counter(s for _, _, s in log))}")
    logins = sum(r.logins for r in reviewers)
    print(f"logins              : {logins} for {len(reviewers)} reviewers (401 = sent to log in)")
    print(
        f"failed requests     : {len(failures)} (5xx or unreachable), "
        f"between {failures[0][0]:.1f} s and {failures[-1][0]:.1f} s"
        if failures
        else "failed requests     : 0"
    )
    print(
        f"recovered           : {'yes' if after and all(s < 500 for s in after) else 'NO'}"
        + (
            f", first success after the last failure at {first_ok_after:.1f} s"
            if first_ok_after
            else ""
        )
    )
    print(
        f"import during fault : {'running' if import_running else 'ALREADY DONE'} at the restart;"
        f" exit {importer.returncode}, last line: "
        f"{import_out.strip().splitlines()[-1] if import_out.strip() else '-'}"
    )

    # Consistency: nothing half-written.
    connections.close_all()
    saved = [text for r in reviewers for text in r.saved_notes]
    missing_notes = [t for t in saved if not Note.objects.filter(text=t).exists()]
    notes_without_history = Note.objects.exclude(
        pk__in=Note.history.filter(history_type="+").values("id")
    ).count()
    articles_without_claims = Article.objects.filter(claims__isnull=True).count()
    claims_without_history = Claim.objects.exclude(
        pk__in=Claim.history.filter(history_type="+").values("id")
    ).count()
    rerun = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(corpus), "--jobs", "1"],
        cwd=ROOT,
        env=env | {"DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = (rerun.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"notes acknowledged  : {len(saved)}, missing after the fault: {len(missing_notes)}")
    print(
        f"half-written rows   : {notes_without_history} notes without history, "
        f"{articles_without_claims} articles without claims, "
        f"{claims_without_history} claims without history"
    )
    print(f"import re-run       : {summary}")
    print(f"articles stored     : {Article.objects.count()} (samples + {args.articles} generated)")
    stored = Article.objects.count()
    checks = [
        (any(s < 400 for _, _, s in log), "no reviewer's request ever succeeded: nothing worked"),
        (import_running, "the import had finished before the restart: the fault missed it"),
        (not missing_notes, f"{len(missing_notes)} acknowledged note(s) missing after the fault"),
        (not notes_without_history, f"{notes_without_history} note(s) without history"),
        (not articles_without_claims, f"{articles_without_claims} article(s) without claims"),
        (not claims_without_history, f"{claims_without_history} claim(s) without history"),
        (bool(after), "no request was sent after the restart"),
        (all(s < 500 for s in after), "requests still failed 2 s after the restart"),
        (rerun.returncode == 0, f"the import re-run exited {rerun.returncode}: {summary}"),
        (stored == args.articles + 5, f"{stored} articles stored, not {args.articles + 5}"),
    ]
    return verdict(checks)


if __name__ == "__main__":
    sys.exit(main())
