"""The ../shared rule: missing, a test skips; under WORKBENCH_REQUIRE_SHARED=1 it fails."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
from tests.conftest import shared_path

def test_probe():
    shared_path("no-such-folder-for-the-rule-test")
"""
# The hook of tests/conftest.py that reports those skips in one line.
PROBE_CONFTEST = "from tests.conftest import pytest_terminal_summary  # noqa: F401\n"
SUMMARY = "../shared not found beside the checkout: 1 tests on the real pages skipped"


def run_probe(tmp_path, require):
    (tmp_path / "test_probe.py").write_text(PROBE)
    (tmp_path / "conftest.py").write_text(PROBE_CONFTEST)
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_REQUIRE_SHARED"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if require:
        env["WORKBENCH_REQUIRE_SHARED"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            "-ra",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_probe.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_missing_shared_data_skips_without_the_variable(tmp_path):
    result = run_probe(tmp_path, require=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped without ../shared" in result.stdout
    assert result.stdout.count(SUMMARY) == 1, result.stdout
    assert "SKIPPED" not in result.stdout  # not a line per test as well


def test_missing_shared_data_fails_under_require_shared(tmp_path):
    result = run_probe(tmp_path, require=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "not found beside the checkout" in result.stdout
    assert SUMMARY not in result.stdout


def test_present_shared_data_is_returned():
    from tests.conftest import SHARED_DIR, shared_path

    assert shared_path() == SHARED_DIR
