"""Fixtures shared by every test: the sample articles on disk and imported."""

from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def seed_path(prefix: str) -> Path:
    """Return the seed file whose name starts with `prefix` (e.g. "001")."""
    matches = sorted(SEEDS_DIR.glob(f"{prefix}*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {prefix}* in {SEEDS_DIR}")
    return matches[0]


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) >= 5, f"expected the sample articles in {SEEDS_DIR}"
    return paths


@pytest.fixture
def imported_seeds(db, seed_paths):
    """Import the five sample articles through the import service; return {prefix: Article}."""
    from sources.services import articles_import

    _, results = articles_import(
        [(p.name, p.read_bytes()) for p in seed_paths], by=None, origin="test"
    )
    assert all(r.article is not None for r in results), [r.describe() for r in results]
    return {r.name[:3]: r.article for r in results}
