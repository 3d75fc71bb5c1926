"""The steps many browser tests share, written once: a tablet page open on the app, the team signed in
and its cases downloaded, a home visit opened at the family's door (consenting or refusing); the tablet's
draft read back from its encrypted store afterwards; the console's server alone and its sign-in form.
What a test does between those steps stays in the test."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from field_app.store import EvidenceStore, open_store
from field_app.store import queries as q
from field_app.store.vault import DirectoryVault
from sync_server.edge.tls import TlsFiles
from tests.end_to_end.flet_browser import new_tablet_page, open_flet
from tests.end_to_end.product import Product
from tests.end_to_end.tablet import Tablet

CASE = "case-yb-2026-0001"  # the demo case every visit here is made on
AT_THE_DOOR = {"latitude": 29.6100, "longitude": 106.5318, "accuracy": 20}  # a fix the browser reports


def open_tablet(browser, product: Product, prefix: str, **context_kwargs) -> tuple[object, object, Tablet]:
    """A tablet-sized page on the running app, its first frame drawn: (context, page, Tablet)."""
    context, page = new_tablet_page(browser, **context_kwargs)
    open_flet(page, product.app_url)
    return context, page, Tablet(page, prefix)


def visit_at_the_door(browser, product: Product, prefix: str, *, refuse: bool = False,
                      permissions: tuple[str, ...] = (), geolocation: dict[str, float] | None = None
                      ) -> tuple[object, object, Tablet]:
    """The team signs in, downloads its cases and opens the demo case's home visit at the door, where
    the family consents (capture allowed) or refuses (on the refusal step). The browser grants
    geolocation, at `geolocation` (AT_THE_DOOR unless given), and `permissions` besides."""
    context, page, tablet = open_tablet(browser, product, prefix,
                                        permissions=[*permissions, "geolocation"],
                                        geolocation=geolocation or AT_THE_DOOR)
    tablet.download_cases()
    start = f"start-home_visit-{CASE}"
    tablet.refuse_at_door(start) if refuse else tablet.consent_at_door(start)
    return context, page, tablet


def _vault(root: Path) -> DirectoryVault:
    return DirectoryVault(root / "tablet-keys", root / "tablet")  # web mode's key dir (make run's layout)


def tablet_evidence(root: Path) -> EvidenceStore:
    """The app's encrypted evidence files."""
    return EvidenceStore(root / "tablet" / "evidence", _vault(root))


def tablet_store(root: Path):
    """The app's encrypted store (the caller closes it) and evidence files."""
    return open_store(root / "tablet", _vault(root)), tablet_evidence(root)


def tablet_draft(root: Path, case: str = CASE):
    """The one draft the tablet holds for `case`, and its evidence files: (draft, evidence)."""
    store, evidence = tablet_store(root)
    try:
        with store.reading() as s:
            [draft] = q.drafts(s, case)
    finally:
        store.close()
    return draft, evidence


@contextmanager
def server_only(root: Path, agency: TlsFiles) -> Iterator[Product]:
    """The real server process (HTTPS, seeded) without the tablet app: the console's tests need no more."""
    running = Product(root, agency)
    running.start_server()
    try:
        yield running
    finally:
        running.stop()


def console_sign_in(browser, server: Product, username: str, password: str, **context_kwargs):
    """A staff member signs in through the console's form and lands on the case list: (context, page)."""
    context, page = new_tablet_page(browser, **context_kwargs)
    page.goto(f"{server.server_url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/cases")
    return context, page


def scroll_to(tablet: Tablet, identifier: str, tries: int = 25) -> None:
    """Swipe the step's content up (a mouse wheel over it) until a control is drawn: Flutter leaves
    controls far below the screen out of the page until they come near."""
    node = tablet.page.locator(f'[flt-semantics-identifier="{identifier}"]')
    for _ in range(tries):
        if node.count():
            return
        tablet.page.mouse.move(760, 500)
        tablet.page.mouse.wheel(0, 250)
        tablet.page.wait_for_timeout(200)
    tablet.shot("not-in-view")
    raise AssertionError(f"{identifier} never came into view")
