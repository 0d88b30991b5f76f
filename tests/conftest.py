"""Fixtures shared by every test: the sample articles on disk and imported, users, a claim.

Two sets of articles:

- `tests/samples/` (`sample_path`, `sample_paths`, `imported_samples`): invented page dumps
  shipped with the tests, in the format of the real ones (a `Published:` line in several
  formats or none, a non-Latin byline, repeated captions and photo credits, bullet
  highlights, subheadings, a hard-wrapped sentence, a two-sentence disclaimer, comment-widget
  chrome, a non-breaking space, cp874 mojibake). Tests of generic behaviour use these, so a
  fresh clone runs them.
- `../shared` (seeds, corpus), read only through `shared_path(*parts)`: the real pages, for
  tests that assert facts about them. On a clone without ../shared such a test is skipped and
  the run ends with one line saying how many were; with WORKBENCH_REQUIRE_SHARED=1 (as CI
  sets) the skip becomes a failure. Corpus tests use it too: `shared_path("corpus")`.

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
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
SHARED_MISSING = "../shared not found beside the checkout"


def shared_path(*parts: str) -> Path:
    """Return ../shared/<parts>; skip if missing (fail under WORKBENCH_REQUIRE_SHARED=1)."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        if os.environ.get("WORKBENCH_REQUIRE_SHARED") == "1":
            message = f"../shared/{'/'.join(parts)} not found beside the checkout: {path}"
            pytest.fail(message + " (WORKBENCH_REQUIRE_SHARED=1)", pytrace=False)
        # One reason for every such skip, so that the summary folds them into one line.
        pytest.skip(f"{SHARED_MISSING}: a test on the real pages")
    return path


def pytest_terminal_summary(terminalreporter) -> None:
    """Say in one line how many tests on the real pages were skipped for want of ../shared.

    Those skips then leave the "skipped" list that `-ra` prints one line a test, for a count
    of their own in the final line ("N skipped without ../shared"); other skips stay listed.
    """
    stats = terminalreporter.stats
    missing = [r for r in stats.get("skipped", []) if SHARED_MISSING in str(r.longrepr)]
    if missing:
        stats["skipped"] = [r for r in stats["skipped"] if all(r is not m for m in missing)]
        stats.setdefault("skipped without ../shared", []).extend(missing)
        count = len(missing)
        terminalreporter.write_line(f"{SHARED_MISSING}: {count} tests on the real pages skipped")


def seed_path(prefix: str) -> Path:
    """Return the seed file whose name starts with `prefix` (e.g. "001")."""
    matches = sorted(shared_path("seeds").glob(f"{prefix}*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {prefix}* in {SEEDS_DIR}")
    return matches[0]


def sample_path(prefix: str) -> Path:
    """Return the invented sample whose name starts with `prefix` (e.g. "04")."""
    (path,) = sorted(SAMPLES_DIR.glob(f"{prefix}_*.txt"))
    return path


def _import_pages(paths: list[Path], key_length: int) -> dict:
    """Import the pages through the import service; return {name prefix: Article}."""
    from imports.in_process import articles_import

    _, results = articles_import([(p.name, p.read_bytes()) for p in paths], by=None, origin="test")
    assert all(r.article is not None for r in results), [r.describe() for r in results]
    return {r.name[:key_length]: r.article for r in results}


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(shared_path("seeds").glob("*.txt"))
    assert len(paths) >= 5, f"expected the sample articles in {SEEDS_DIR}"
    return paths


@pytest.fixture
def imported_seeds(db, seed_paths):
    """Import the five real sample articles; return {"000": Article, …}."""
    return _import_pages(seed_paths, 3)


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    paths = sorted(SAMPLES_DIR.glob("*.txt"))
    assert len(paths) >= 5, f"expected the invented sample articles in {SAMPLES_DIR}"
    return paths


@pytest.fixture
def imported_samples(db, sample_paths):
    """Import the invented sample articles; return {"01": Article, …}."""
    return _import_pages(sample_paths, 2)


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
def roles(transactional_db):
    """The role groups: a transactional test's flush removes what the migration created."""
    from django.contrib.auth.models import Group, Permission

    from workbench.roles import sync_roles

    sync_roles(Group, Permission)


@pytest.fixture
def migrate_to():
    """`migrate_to((app, migration))` migrates the test database there and gives the apps of
    the state it is then in (the target, and the other apps' migrations that do not depend on
    it still applied); afterwards every app's latest migration again, so the tests after it
    (transactional ones run last) find every table. Use with django_db(transaction=True)."""
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target: tuple[str, str]):
        return MigrationExecutor(connection).migrate([target]).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


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


# Users and a claim shared by the claims, sources and admin tests. Imports stay inside the
# fixtures: tests/test_shared_data.py imports this module without Django set up.


@pytest.fixture
def reviewer(make_user):
    return make_user("rita", "reviewer")


@pytest.fixture
def lead(make_user):
    return make_user("lena", "lead")


@pytest.fixture
def rclient(client, reviewer):
    """Django's test client, logged in as the reviewer."""
    client.force_login(reviewer)
    return client


@pytest.fixture
def lclient(lead):
    """A second test client, logged in as the lead (beside `client`/`rclient`)."""
    from django.test import Client

    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def claim(db):
    """A claim of a Global Times article."""
    from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

    return ClaimFactory(article=ArticleFactory(publisher=PublisherFactory(name="Global Times")))
