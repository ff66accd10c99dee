"""Shared fixtures: the real data sets in ../shared/data (read-only) and the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "unspin" / "examples"
SEED_A = DATA / "seeds" / "000_4f924e5df3fd12e9.txt"
SEED_B = DATA / "seeds" / "002_085c92a93bf60dbf.txt"


def need(path: Path) -> Path:
    """The path, or skip the test with the reason when the shared data is not there."""
    if not path.exists():
        pytest.skip(f"real data missing: {path} (tests read ../shared/data beside the project)")
    return path


@pytest.fixture(scope="session")
def seed_comparison():  # type: ignore[no-untyped-def]
    import unspin

    return unspin.compare(need(SEED_A), need(SEED_B))
