"""Every bench fails loudly — exit status 1, the first error printed — when the work it
measures did not happen; none of these restarts PostgreSQL.

Benches run as a user runs them (a subprocess), on SQLite. Where nothing short of a bug in
the code would make the work go missing, a small driver runs the bench with that bug put in
(`_run(..., patch=...)`): the patch runs right after the bench's Django set-up.
"""

import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]

DRIVER = """
import runpy, sys
sys.path.insert(0, {root!r})
import bench._setup as setup
real_setup = setup.django_setup
def django_setup(**kwargs):
    url = real_setup(**kwargs)
{patch}
    return url
setup.django_setup = django_setup
{before}
sys.argv = [{script!r}, *sys.argv[1:]]
runpy.run_path({script!r}, run_name="__main__")
"""


def _run(
    script: str, *args: str, env: dict | None = None, patch: str = "", before: str = ""
) -> subprocess.CompletedProcess:
    """Run bench/<script> with `args`; with `patch` (code, indented 4) through the driver."""
    path = str(ROOT / "bench" / script)
    if patch or before:
        indented = "\n".join("    " + line for line in patch.strip().splitlines()) or "    pass"
        code = DRIVER.format(root=str(ROOT), patch=indented, before=before, script=path)
        command = [sys.executable, "-c", code, *args]
    else:
        command = [sys.executable, path, *args]
    import os

    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
    return subprocess.run(
        command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300
    )


def _failed(run: subprocess.CompletedProcess, message: str) -> None:
    """The bench exited 1 and printed `message` (a regular expression) as its error."""
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "bench: FAILED:" in run.stderr, output
    assert re.search(message, run.stderr), output


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A SQLite bench database holding the samples as bench/triage_pages.py loads them."""
    shared_path("seeds")
    path = tmp_path_factory.mktemp("bench") / "seeded.sqlite3"
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench._setup import django_setup\n"
        f"django_setup(fresh=True, url='sqlite:///{path}')\n"
        "from bench.triage_pages import load\n"
        "load(1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def _copy(seeded: Path, tmp_path: Path) -> dict:
    path = tmp_path / "bench.sqlite3"
    shutil.copyfile(seeded, path)
    return {"BENCH_DATABASE_URL": f"sqlite:///{path}"}


# --- Load test: a server answering errors ----------------------------------------------


class _Server(BaseHTTPRequestHandler):
    """Answers 500 to everything, or (logins_work) lets users log in and then fails pages."""

    logins_work = False

    def log_message(self, *args) -> None:
        pass

    def _answer(self, status: int, body: str = "", location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self) -> None:
        if self.logins_work and self.path.startswith("/accounts/login/"):
            self._answer(200, '<input name="csrfmiddlewaretoken" value="token">')
        elif self.logins_work and self.path == "/":
            self._answer(200, "logged in")
        else:
            self._answer(500, "Server Error (500)")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.logins_work and self.path.startswith("/accounts/login/"):
            self._answer(302, location="/")
        else:
            self._answer(500, "Server Error (500)")


@pytest.fixture
def server():
    def start(*, logins_work: bool) -> str:
        handler = type("Handler", (_Server,), {"logins_work": logins_work})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    started: list[ThreadingHTTPServer] = []
    yield start
    for httpd in started:
        httpd.shutdown()


LOAD_ARGS = ("--users", "2", "--minutes", "0.05", "--baseline-seconds", "2")


def test_load_run_against_a_server_answering_500_exits_non_zero(server):
    run = _run("load_test.py", "--host", server(logins_work=False), *LOAD_ARGS)
    _failed(run, r"single user: 1 exception\(s\).*login page answered 500")
    assert "Aggregated" not in run.stdout  # no table of zeros


def test_load_run_whose_pages_answer_500_after_logging_in_exits_non_zero(server):
    run = _run("load_test.py", "--host", server(logins_work=True), *LOAD_ARGS)
    _failed(run, r"single user: \d+ failed request\(s\), the first .*GET /claims/.*500")


# --- Pages, exports, imports -----------------------------------------------------------


def test_triage_bench_times_each_page_against_the_admin(seeded, tmp_path):
    pages = "queue,deep,rare word,claim page"
    run = _run(
        "triage_pages.py", "--reuse", "--runs", "1", "--pages", pages, env=_copy(seeded, tmp_path)
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("machine         : ")
    rows = {line.split("  ")[0]: line for line in run.stdout.splitlines()}
    for page in ("queue (default)", "deep page (1/4 down)", "search (rare word)", "claim page"):
        assert re.search(r"\d+\.\d×", rows[page]), rows[page]
    assert "goal ≥ 6×" in rows["queue (default)"]
    assert "goal ≥ 30×" in rows["deep page (1/4 down)"]
    assert "goal ≥ 3×" in rows["claim page"]


def test_triage_bench_with_a_page_answering_500_exits_non_zero(seeded, tmp_path):
    patch = """
import claims.views
def broken(*args, **kwargs):
    raise RuntimeError("the queue broke")
claims.views.triage_page = broken
"""
    run = _run(
        "triage_pages.py", "--reuse", "--runs", "1", env=_copy(seeded, tmp_path), patch=patch
    )
    _failed(run, r"queue \(default\): GET /claims/ answered 500, not 200")


def test_api_bench_times_the_claims_list_at_every_depth_and_a_write(seeded, tmp_path):
    run = _run("api.py", "--reuse", "--runs", "1", env=_copy(seeded, tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {line.split("  ")[0].strip(): line for line in run.stdout.splitlines()}
    for label in ("claims list, first page", "claims list, last page", "claim record"):
        assert re.search(r" \d+\.\d +\d+\.\d", rows[label]), rows[label]
    assert "write round trip (read, POST status)" in rows


def test_api_bench_with_a_list_answering_500_exits_non_zero(seeded, tmp_path):
    patch = """
import api.views
def broken(*args, **kwargs):
    raise RuntimeError("the list broke")
api.views.triage_page = broken
"""
    run = _run("api.py", "--reuse", "--runs", "1", env=_copy(seeded, tmp_path), patch=patch)
    _failed(run, r"claims list, first page: answered 500")


def test_export_bench_checks_each_file_against_its_selection(seeded, tmp_path):
    env = _copy(seeded, tmp_path)
    run = _run("export.py", "--reuse", "--cases", "full-csv-python", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "baseline: COPY   : PostgreSQL only" in run.stdout
    assert re.search(r"full-csv-python +[\d,]+ rows", run.stdout), run.stdout


def test_export_shorter_than_its_selection_exits_non_zero(seeded, tmp_path):
    patch = """
import claims.exports
stream = claims.exports.Export.stream
def short(self):
    data = b"".join(stream(self))
    yield data[: data.rstrip(b"\\n").rfind(b"\\n") + 1]  # the last record lost
claims.exports.Export.stream = short
"""
    run = _run(
        "export.py", "--reuse", "--case", "plain-jsonl", env=_copy(seeded, tmp_path), patch=patch
    )
    _failed(run, r"plain-jsonl: the file holds ([\d,]+) records, the selection [\d,]+ claims")
    held, selected = re.search(
        r"holds ([\d,]+) records, the selection ([\d,]+)", run.stderr
    ).groups()
    assert int(held.replace(",", "")) == int(selected.replace(",", "")) - 1


def test_report_pdf_bench_times_the_task_and_checks_its_pdf(tmp_path):
    env = {"BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    run = _run("report_pdf.py", "--claims", "30", "--no-old", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\?status=all&q=shipment, [\d,]+ claims in the PDF", run.stdout)
    timing = r"ours \(task\) +: [\d.]+ s \([\d.]+ s CPU\) for \d+ pages"
    assert re.search(timing, run.stdout), run.stdout


def test_report_pdf_bench_whose_job_fails_exits_non_zero(tmp_path):
    patch = """
import claims.report_jobs
def broken(report, stage=None):
    raise RuntimeError("no PDF made")
claims.report_jobs.report_pdf = broken
"""
    env = {"BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    run = _run("report_pdf.py", "--claims", "30", "--no-old", env=env, patch=patch)
    _failed(run, r"the report job ended failed: RuntimeError: no PDF made")


def test_ingest_whose_files_are_all_rejected_exits_non_zero(tmp_path):
    shared_path("seeds")
    env = {
        "BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
        "IMPORT_MAX_FILE_BYTES": "50",
    }
    run = _run("ingest_throughput.py", "--articles", "3", "--jobs", "1", env=env)
    _failed(run, r"import_articles failed \(1\); first: .*rejected: .*file too large")
    assert "throughput" not in run.stdout


def test_bulk_import_whose_tasks_import_nothing_exits_non_zero(tmp_path):
    shared_path("seeds")
    # Workers that claim no file at a time run the batch's tasks without importing anything.
    env = {"BENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}", "IMPORT_CLAIM_GROUP": "0"}
    run = _run(
        "bulk_import.py", "--articles", "3", "--workers", "1", "--naive-sample", "0", env=env
    )
    _failed(run, r"the batch's tasks did not run — .* 3 of 3 files pending")


def test_independence_bench_that_finds_no_candidate_exits_non_zero(seeded, tmp_path):
    patch = """
import claims.candidates
claims.candidates.candidate_evidence = lambda *args, **kwargs: []
"""
    env = _copy(seeded, tmp_path)
    run = _run(
        "independence.py", "--reuse", "--runs", "3", "--articles", "10", env=env, patch=patch
    )
    _failed(run, r"candidate evidence found nothing for any of 3 claims")


def test_segmentation_bench_that_cannot_import_the_segmenter_exits_non_zero():
    before = "sys.modules['sources.ingest.segment'] = None  # import fails"
    run = _run("segmentation_golden_rules.py", before=before)
    _failed(run, r"could not import sources.ingest.segment.split_sentences")


# --- Fault scripts: their failure paths, without a restart ------------------------------


def test_worker_kill_fault_whose_worker_imports_nothing_exits_non_zero(tmp_path):
    shared_path("seeds")
    env = {"FAULT_DATABASE_URL": f"sqlite:///{tmp_path / 'f.sqlite3'}", "IMPORT_CLAIM_GROUP": "0"}
    run = _run("faults/worker_kill.py", "--articles", "6", "--stall-seconds", "3", env=env)
    _failed(run, r"before the kill: no file got an outcome for 3 s .*not running the batch")


def test_pg_restart_fault_refuses_anything_but_postgresql(tmp_path):
    env = {"FAULT_DATABASE_URL": f"sqlite:///{tmp_path / 'f.sqlite3'}"}
    run = _run("faults/pg_restart.py", env=env)
    _failed(run, r"this fault restarts PostgreSQL; FAULT_DATABASE_URL must be one")
    assert not (tmp_path / "f.sqlite3").exists()  # it stopped before doing anything


def test_gunicorn_that_does_not_answer_its_login_page_stops_the_bench(tmp_path):
    """What every bench serving pages (load test, PostgreSQL restart) checks first."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench._setup import start_gunicorn\n"
        f"start_gunicorn('sqlite:///{tmp_path / 'g.sqlite3'}', workers=1,"
        " ALLOWED_HOSTS='elsewhere.example')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    _failed(run, r"gunicorn's login page answered 400, not 200; its log")
