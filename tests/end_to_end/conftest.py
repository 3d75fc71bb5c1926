"""Fixtures for the end-to-end tests: the real product and Debian's Chromium."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import sync_playwright

from tests.end_to_end.flet_browser import REPO_ROOT, launch_browser
from tests.end_to_end.product import Product

ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture
def product(tmp_path, request):
    """Server + tablet app on free ports, data in tmp_path; stopped after the test."""
    running = Product(tmp_path)
    running.start_server()
    running.start_app()
    yield running
    running.stop()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"timings-{request.node.name[:60]}.json").write_text(json.dumps(running.timings, indent=2))


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API holds an event loop while it runs, which
    must be gone before server tests that call asyncio.run()."""
    with sync_playwright() as pw:
        chromium = launch_browser(pw)
        yield chromium
        chromium.close()
