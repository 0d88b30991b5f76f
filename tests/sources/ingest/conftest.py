"""Fixtures for the ingestion tests: the sample page dumps, repaired to canonical text."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES_DIR, SEEDS_DIR, shared_path


def canonical(received: str) -> str:
    """Return the canonical text of a received page (the repair stage's output)."""
    try:
        from sources.ingest.repair import repair_text
    except ImportError:  # the repair stage is written in parallel; a crude stand-in until then
        return received.replace("\xa0", " ")
    return repair_text(received).text


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Return {"000": canonical text, …} for the real sample articles in ../shared/seeds."""
    paths = sorted(shared_path("seeds").glob("*.txt"))
    assert len(paths) >= 5, f"expected the sample articles in {SEEDS_DIR}"
    return {p.name[:3]: canonical(p.read_text(encoding="utf-8")) for p in paths}


@pytest.fixture(scope="session")
def samples() -> dict[str, str]:
    """Return {"01": canonical text, …} for the invented sample articles in tests/samples."""
    paths = sorted(SAMPLES_DIR.glob("*.txt"))
    assert len(paths) >= 5, f"expected the invented sample articles in {SAMPLES_DIR}"
    return {p.name[:2]: canonical(p.read_text(encoding="utf-8")) for p in paths}
