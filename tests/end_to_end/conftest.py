"""Fixtures for the end-to-end tests: the real product and Debian's Chromium."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import sync_playwright

from sync_server.edge.tls import TlsFiles, init_tls
from tests.end_to_end.flet_browser import REPO_ROOT, launch_browser
from tests.end_to_end.product import Product, chromium_tls_args

ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def agency(tmp_path_factory) -> TlsFiles:
    """The agency CA and a server certificate for 127.0.0.1, made once (`python -m sync_server tls init`)."""
    return init_tls(tmp_path_factory.mktemp("agency-tls"))


@pytest.fixture
def product(tmp_path, request, agency):
    """Server (HTTPS) + tablet app on free ports, data in tmp_path; stopped after the test."""
    running = Product(tmp_path, agency)
    running.start_server()
    running.start_app()
    yield running
    running.stop()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"timings-{request.node.name[:60]}.json").write_text(json.dumps(running.timings, indent=2))


@pytest.fixture(scope="module")
def browser(agency):
    """Chromium for one test module: Playwright's sync API holds an event loop while it runs, which
    must be gone before server tests that call asyncio.run(). It accepts the agency server's key only."""
    with sync_playwright() as pw:
        chromium = launch_browser(pw, extra_args=chromium_tls_args(agency))
        yield chromium
        chromium.close()
