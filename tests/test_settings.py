"""The settings module reads every knob from the environment and refuses unsafe production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _check({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_secret_key():
    result = _check({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_debug_has_a_development_key():
    result = _check({"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgres_and_default_is_sqlite_in_var():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='workbench.settings';"
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])"
    )
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env = {**clean, "DJANGO_DEBUG": "1"}
    pg = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wbx"},
        capture_output=True,
        text=True,
    )
    assert pg.stdout.split() == ["django.db.backends.postgresql", "wbx"], pg.stderr
    lite = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    engine, name = lite.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "db.sqlite3"


def test_custom_user_model_is_in_use():
    from django.contrib.auth import get_user_model

    assert get_user_model()._meta.label == "workbench.User"
