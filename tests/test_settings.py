"""The settings module reads every knob from the environment and refuses unsafe production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SETTINGS = {"SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "DJANGO_ENV_FILE", "EMAIL_URL"}
SHOW = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='workbench.settings';"
    "from django.conf import settings as s;"
    "print(s.DEBUG, s.SECRET_KEY, s.DATABASES['default']['NAME'])"
)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python in the checkout with none of the settings' variables but those in `env`.

    No `.env` is read unless `env` names one (DJANGO_ENV_FILE): a developer's own file beside
    manage.py must not change what these tests see.
    """
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run(["manage.py", "check"], env)


def test_production_refuses_to_start_without_secret_key():
    result = _check({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_secret_key():
    result = _check({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_production_without_a_dotenv_file_refuses_to_start(tmp_path):
    # A production checkout: the default .env path names no file, nothing is exported.
    result = _check({"DJANGO_ENV_FILE": str(tmp_path / ".env")})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_has_a_development_key():
    result = _check({"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def _dotenv(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / ".env"
    path.write_text(text)
    return {"DJANGO_ENV_FILE": str(path)}


def test_dotenv_development_settings_are_read_without_exporting_anything(tmp_path):
    # What ./scripts/run writes: DJANGO_DEBUG=1 and a generated key, comment line first.
    env = _dotenv(tmp_path, "# written by ./scripts/run\nDJANGO_DEBUG=1\nSECRET_KEY=k-from-file\n")
    assert _check(env).returncode == 0
    shown = _run(["-c", SHOW], env)
    assert shown.stdout.split()[:2] == ["True", "k-from-file"], shown.stderr


def test_the_environment_wins_over_the_dotenv_file(tmp_path):
    env = _dotenv(
        tmp_path,
        "DJANGO_DEBUG=1\nSECRET_KEY=k-from-file\nDATABASE_URL=sqlite:///from-file.sqlite3\n",
    )
    exported = {"DJANGO_DEBUG": "0", "SECRET_KEY": "s" * 60, "DATABASE_URL": "sqlite:////tmp/x.db"}
    shown = _run(["-c", SHOW], env | exported)
    assert shown.stdout.split() == ["False", "s" * 60, "/tmp/x.db"], shown.stderr


def test_an_empty_dotenv_path_reads_no_file(tmp_path):
    env = _dotenv(tmp_path, "DJANGO_DEBUG=1\nSECRET_KEY=k-from-file\n")
    result = _check(env | {"DJANGO_ENV_FILE": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_database_url_selects_postgres_and_default_is_sqlite_in_var():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='workbench.settings';"
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ENV_FILE"}}
    env = {**clean, "DJANGO_DEBUG": "1", "DJANGO_ENV_FILE": ""}
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


EMAIL = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='workbench.settings';"
    "from django.conf import settings as s;"
    "m = s.MAILERS.get('default', {}); o = m.get('OPTIONS', {});"
    "print(s.EMAIL_ENABLED, m.get('BACKEND'), o.get('host'), o.get('port'), o.get('use_tls'),"
    " o.get('username'), o.get('password'))"
)
PRODUCTION = {"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 60}


def test_production_without_email_url_sends_no_mail_and_says_so():
    shown = _run(["-c", EMAIL], PRODUCTION)
    assert shown.stdout.split()[0] == "False", shown.stderr


def test_email_url_configures_the_mail_server():
    url = "smtp+tls://wb%40example.org:p%40ss@smtp.example.org:587"
    shown = _run(["-c", EMAIL], PRODUCTION | {"EMAIL_URL": url})
    assert shown.stdout.split() == [
        "True",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
        "wb@example.org",
        "p@ss",
    ], shown.stderr


def test_development_prints_mail_on_the_console():
    shown = _run(["-c", EMAIL], {"DJANGO_DEBUG": "1"})
    assert shown.stdout.split()[:2] == ["True", "django.core.mail.backends.console.EmailBackend"]


def test_a_dummy_mail_backend_counts_as_no_mail():
    shown = _run(["-c", EMAIL], PRODUCTION | {"EMAIL_URL": "dummymail://"})
    assert shown.stdout.split()[0] == "False", shown.stderr
