"""sources.ingest is plain Python: every module imports with Django made unimportable.

The check runs in a fresh interpreter (this one has Django loaded by pytest-django): a
finder on sys.meta_path refuses `django` and its contrib packages, then every module of
sources.ingest is imported. A module that needs Django — itself, or through a Django part
of the project (models, services, clustering storage) — fails the test by name. The
import-linter contracts in pyproject.toml (`lint-imports`) say the same from the import
graph, and forbid import cycles between the ingest modules.
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sources.ingest

ROOT = Path(__file__).resolve().parents[3]
BLOCKED = ("django", "simple_history", "django_htmx", "django_tasks_db", "axes")

_PROBE = """
import importlib, json, sys, traceback

BLOCKED = {blocked!r}


class NoDjango:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is not importable here (ingest must not need it)")
        return None


sys.meta_path.insert(0, NoDjango())
failed = {{}}
for module in {modules!r}:
    try:
        importlib.import_module(module)
    except Exception:
        failed[module] = traceback.format_exc(limit=-3)
print(json.dumps(failed))
"""


def ingest_modules() -> list[str]:
    """Every module of the sources.ingest package, by its dotted name."""
    prefix = sources.ingest.__name__ + "."
    return sorted(m.name for m in pkgutil.walk_packages(sources.ingest.__path__, prefix))


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return env | {"PYTHONPATH": str(ROOT)}


def imports_without_django(modules: list[str]) -> dict[str, str]:
    """Import `modules` in a fresh interpreter without Django; return {module: traceback}."""
    code = _PROBE.format(blocked=BLOCKED, modules=modules)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_environment(),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_ingest_module_is_found():
    modules = ingest_modules()
    # The pipeline and the stages it runs are all walked, not only the top package.
    for name in ("pipeline", "page", "provenance", "fingerprint", "syndication", "html"):
        assert f"sources.ingest.{name}" in modules


def test_every_ingest_module_imports_without_django():
    failed = imports_without_django(ingest_modules())
    assert not failed, "these sources.ingest modules need Django:\n" + "\n".join(
        f"{module}:\n{trace}" for module, trace in failed.items()
    )


def test_the_probe_names_a_module_that_needs_django():
    # The probe itself can fail: a Django part of the project is refused by name.
    failed = imports_without_django(["sources.clustering", "sources.ingest.page"])
    assert list(failed) == ["sources.clustering"]
    assert "django is not importable here" in failed["sources.clustering"]


# import-linter is a dev dependency: beside this interpreter, else on PATH.
LINT_IMPORTS = next(
    (
        str(path)
        for path in (Path(sys.executable).parent / "lint-imports", shutil.which("lint-imports"))
        if path and Path(path).is_file()
    ),
    None,
)


@pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed")
def test_import_linter_contracts_are_kept():
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
