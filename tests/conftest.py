"""Fixtures shared by every test: the sample articles on disk and imported.

Data in ../shared (seeds, corpus) is read only through `shared_path(*parts)`: on a clone without
../shared the test is skipped ("../shared/... not found beside the checkout"), and with
WORKBENCH_REQUIRE_SHARED=1 (as CI sets) the skip becomes a failure. Corpus tests use it too:
`shared_path("corpus")`, `shared_path("corpus", "manifest.csv")`.

`@pytest.mark.postgres("why")` marks a test that only means something on PostgreSQL (the
SQL export path against the Python one): on SQLite it is reported as skipped, "needs
PostgreSQL: why", never as passed.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.db import connection

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS_DIR = SHARED_DIR / "seeds"


def shared_path(*parts: str) -> Path:
    """Return ../shared/<parts>; skip if missing (fail under WORKBENCH_REQUIRE_SHARED=1)."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        message = f"../shared/{'/'.join(parts)} not found beside the checkout: {path}"
        if os.environ.get("WORKBENCH_REQUIRE_SHARED") == "1":
            pytest.fail(message + " (WORKBENCH_REQUIRE_SHARED=1)", pytrace=False)
        pytest.skip(message)
    return path


def seed_path(prefix: str) -> Path:
    """Return the seed file whose name starts with `prefix` (e.g. "001")."""
    matches = sorted(shared_path("seeds").glob(f"{prefix}*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {prefix}* in {SEEDS_DIR}")
    return matches[0]


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(shared_path("seeds").glob("*.txt"))
    assert len(paths) >= 5, f"expected the sample articles in {SEEDS_DIR}"
    return paths


@pytest.fixture
def imported_seeds(db, seed_paths):
    """Import the five sample articles through the import service; return {prefix: Article}."""
    from imports.in_process import articles_import

    _, results = articles_import(
        [(p.name, p.read_bytes()) for p in seed_paths], by=None, origin="test"
    )
    assert all(r.article is not None for r in results), [r.describe() for r in results]
    return {r.name[:3]: r.article for r in results}


def pytest_runtest_setup(item):
    """Skip a test marked `postgres` on another database, saying so ("needs PostgreSQL: …"),
    rather than let it pass trivially: SQLite has no SQL export path to compare."""
    marker = item.get_closest_marker("postgres")
    if marker is not None and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: " + (marker.args[0] if marker.args else item.name))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply; the real hasher costs ~0.3 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def password_for(username: str) -> str:
    """The password `make_user` gives a user (strong enough for the validators)."""
    return f"{username}-Pa55-word!"


@pytest.fixture
def make_user(db):
    """Create a user with a role the way `manage.py create_user` does; return the user."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    def make(username: str, role: str):
        password = password_for(username)
        call_command("create_user", username, role=role, password=password, stdout=StringIO())
        user = get_user_model().objects.get(username=username)
        user.raw_password = password
        return user

    return make
