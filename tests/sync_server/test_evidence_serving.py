"""Serving evidence (issue 5 §2): the sniffed type, never the declared one; `nosniff`; a sandboxing CSP;
inline only for JPEG and PNG. Legacy files ingest now refuses (HTML, SVG, polyglots) are served inert."""
from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import PHOTOS, FieldTeam, home_visit
from tests.sync_server.legacy import hostile_files, plant_legacy_record

pytestmark = pytest.mark.both_databases
REAL_JPEG = (PHOTOS / "gps" / "DSCN0021.jpg").read_bytes()
SERVED_AS = {"page.html": "application/octet-stream", "drawing.svg": "application/octet-stream",
             "svg-named.png": "application/octet-stream", "jpeg-then-html.jpg": "image/jpeg",
             "html-then-png.png": "application/octet-stream", "real-jpeg-html-tail.jpg": "image/jpeg",
             "pdf-then-html.pdf": "application/pdf"}


def assert_inert(response, media_type: str, what: str) -> None:
    headers = response.headers
    assert response.status_code == 200, (what, response.status_code)
    assert headers["content-type"] == media_type, (what, headers["content-type"])
    assert headers["x-content-type-options"] == "nosniff", what
    csp = headers["content-security-policy"]
    assert csp.startswith("sandbox") and "default-src 'none'" in csp, (what, csp)
    inline = media_type in ("image/jpeg", "image/png")
    assert headers["content-disposition"].startswith("inline" if inline else "attachment"), (what, headers)


def test_legacy_html_svg_and_polyglots_are_served_inert_by_api_and_console(app: FastAPI, team: FieldTeam):
    """Whatever a record declared (text/html, image/svg+xml, a PNG that is SVG), the server sends the
    type its bytes start as, or an opaque download."""
    services = app.state.services
    shas = plant_legacy_record(services.engine, services.blobs, team, home_visit("rec-legacy-xss"),
                               hostile_files("/marker", REAL_JPEG))
    console_login(team.client, "wangfang")
    for name, sha in shas.items():
        api = team.client.get(f"/api/v1/evidence/{sha}", headers=team.headers["wangfang"])
        assert_inert(api, SERVED_AS[name], f"api {name}")
        assert_inert(team.client.get(f"/console/evidence/{sha}"), SERVED_AS[name], f"console {name}")
        preview = team.client.get(f"/console/evidence/{sha}/preview")  # a display copy or a placeholder
        assert_inert(preview, "image/jpeg", f"preview {name}")
        body = preview.content  # re-encoded by us: starts and ends as a JPEG, carries no hostile tail
        assert body.startswith(b"\xff\xd8") and body.endswith(b"\xff\xd9") and b"<script" not in body, name


def test_real_photos_and_signatures_are_shown_inline_with_the_same_protection(team: FieldTeam):
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    for ref in visit.record.evidence:
        response = team.client.get(f"/console/evidence/{ref.sha256}")
        assert_inert(response, ref.media_type, ref.role.value)
        assert response.content == visit.files[ref.sha256]
