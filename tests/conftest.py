"""Test tiers for the whole suite, assigned here once (tests/tiers.py says how), so that a new test
lands in its tier without anyone marking it: `make check` runs `-m "pure or inprocess"`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiers import TIERS, assign

TESTS_ROOT = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: tier: {meaning}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Before `-m` deselects anything: every collected test gets its tier."""
    assign(items, TESTS_ROOT)
