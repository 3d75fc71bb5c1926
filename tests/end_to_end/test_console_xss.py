"""Stored XSS through evidence (issue 5 §2), driven in Chromium against the real HTTPS server.

Hostile files (HTML, SVG, an SVG named .png, a JPEG header before HTML, HTML before a PNG signature, a
real JPEG with HTML appended, a PDF header before HTML) are uploaded through the real API; a record citing
them is refused by ingest (`evidence.type_not_allowed`), except the real JPEG whose tail is HTML, which
decodes as the photo it is. A record citing them is then written straight into
the database, as data from before the check would be. A reviewer signs in through the console's form and
opens the case page and every evidence and preview URL. Each payload would set `window.__pwned`, read
`/console/cases` and send it to a marker URL: none of that ever happens. A positive control first shows
the same payload does run in this Chromium when served as a page of its own.
"""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError

from schemas.protocol import PROTOCOL_HEADER
from sync_server.db import make_engine
from sync_server.evidence.disk_store import BlobStore
from sync_server.ops.seed import DEMO_CASE_ID
from tests.end_to_end.flows import server_only
from tests.end_to_end.product import Product
from tests.media import PHOTOS
from tests.sync_server.finding_helpers import visit_at
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, home_visit
from tests.sync_server.legacy import hostile_files, plant_legacy_record

REVIEWER = "wangfang"


@pytest.fixture
def server(tmp_path, agency):
    """The real server only (HTTPS, seeded); the tablet app is not needed here."""
    with server_only(tmp_path, agency) as running:
        yield running


def plant_hostile_case(server: Product, marker: str) -> dict[str, str]:
    """Upload the hostile files through the API, see ingest refuse them, then write the legacy record."""
    with httpx.Client(base_url=server.server_url, verify=server.tls_context(), timeout=30,
                      headers={PROTOCOL_HEADER: "1"}) as client:
        team = FieldTeam.sign_in(client)  # type: ignore[arg-type]  (the same calls as a TestClient)
        now = datetime.now(UTC)  # after the demo case's release at the server's start (R1: no earlier seal)
        assert team.submit(visit_at(home_visit(), now)).json()["status"] == "merged"
        visit = visit_at(home_visit("rec-hostile-01"), now)
        files = hostile_files(marker, (PHOTOS / "gps" / "DSCN0021.jpg").read_bytes())
        for name, (data, media_type, kind) in files.items():
            probe = visit_at(home_visit(f"rec-probe-{len(name)}-{name[:6]}"), now)
            probe.add(data, kind, visit.record.evidence[0].role, "zhangwei", media_type)
            answer = team.submit(probe).json()
            if name == "real-jpeg-html-tail.jpg":  # a whole, decodable JPEG: merged, and served as an image
                assert answer["status"] == "merged", answer
            else:
                assert answer.get("code") == "evidence.type_not_allowed", (name, answer)
    engine = make_engine(f"sqlite:///{server.root / 'server' / 'server.db'}")
    try:
        return plant_legacy_record(engine, BlobStore(server.root / "server" / "evidence"), team, visit, files)
    finally:
        engine.dispose()


def test_hostile_evidence_never_runs_script_in_the_reviewers_browser(server: Product, browser):
    base = server.server_url
    marker = f"{base}/xss-marker"
    shas = plant_hostile_case(server, marker)
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN", accept_downloads=True)
    requests: list[tuple[str, str]] = []
    context.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page = context.new_page()

    control = context.new_page()  # positive control: the payload does run when it is a page of its own
    with control.expect_request(lambda r: r.url.startswith(marker)):
        control.set_content(hostile_files(marker, b"")["page.html"][0].decode())
    assert control.evaluate("() => window.__pwned") == 1
    control.close()
    requests.clear()

    page.goto(f"{base}/console/login")
    page.fill('input[name="username"]', REVIEWER)
    page.fill('input[name="password"]', CREDENTIALS[REVIEWER].password)
    page.click('button[type="submit"]')  # the real form, with its CSRF token
    page.wait_for_load_state()
    assert page.url == f"{base}/console/cases", page.content()[:3000]
    visited = [f"{base}/console/cases", f"{base}/console/cases/{DEMO_CASE_ID}"]
    for sha in shas.values():
        visited += [f"{base}/console/evidence/{sha}", f"{base}/console/evidence/{sha}/preview"]
    downloads = 0
    for url in visited:
        try:
            page.goto(url)
        except PlaywrightError as error:  # an attachment: Chromium downloads it, it does not render it
            assert "Download is starting" in str(error), (url, error)
            downloads += 1
            continue
        page.wait_for_load_state("networkidle")
        for frame in page.frames:
            assert frame.evaluate("() => window.__pwned") is None, url
        if "/evidence/" in url:
            assert page.evaluate("() => document.contentType") in ("image/jpeg", "image/png"), url
    case_page = f"{base}/console/cases/{DEMO_CASE_ID}"
    page.goto(case_page)
    page.wait_for_load_state("networkidle")
    assert "rec-hostile-01" in page.content()  # the hostile record is on the page, its files in it
    assert page.evaluate("() => window.__pwned") is None
    assert downloads >= 5  # HTML, SVG, the SVG named .png, HTML-then-PNG, the PDF: never rendered
    assert not [u for _, u in requests if u.startswith(marker)], "a payload reached its marker"
    assert not [u for kind, u in requests if kind in ("fetch", "xhr")], "a script fetched something"
    context.close()
