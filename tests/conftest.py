"""Test tiers for the whole suite, assigned here once (tests/tiers.py says how), so that a new test
lands in its tier without anyone marking it: `make check` runs `-m "(pure or inprocess) and not sweep"`. And the
server's secrets hashed at a test's cost in this process (`quick_scrypt`)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_server.accounts import passwords
from tests.tiers import SWEEP, TIERS, assign

TESTS_ROOT = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: tier: {meaning}")
    config.addinivalue_line("markers", SWEEP)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Before `-m` deselects anything: every collected test gets its tier."""
    assign(items, TESTS_ROOT)


@pytest.fixture(scope="session", autouse=True)
def quick_scrypt() -> Iterator[None]:
    """The server's scrypt at n=2**10 instead of 2**14 for every secret hashed in this process, seeded
    templates included: each hash stores its cost, so the same code verifies it, at a sixteenth of the
    work (most of the in-process tier's time went into hashing sign-ins). Server subprocesses keep the
    real cost. (The tablet's key derivation has its own: tests/field_app/conftest.py's quick_pin_keys.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "SCRYPT_N", 2**10)
        yield
