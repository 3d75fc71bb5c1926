"""The tablet against a REAL server without batch uploads (issue 9): the batch request is answered 404,
the tablet sends every file alone instead, remembers not to ask again, and the records merge."""
from __future__ import annotations

import pytest

from field_app.sync.outbox import UploadStatus, upload_outbox
from sync_server.ops.seed import DEMO_CASE_ID
from tests.field_app.live_server import LiveServer
from tests.field_app.test_sync_live import _seal_home_visit, _sign_in_team


@pytest.fixture
def server(tmp_path, clock):
    """A server from before batch uploads (POST /evidence/batch answers 404)."""
    live = LiveServer(tmp_path / "server", clock, batches=False)
    live.start()
    yield live
    live.close()


def test_against_a_server_without_batches_each_file_goes_alone_and_the_records_merge(tablet, server, transport,
                                                                                     store, evidence):
    team = _sign_in_team(tablet)
    first = _seal_home_visit(tablet, "gps/DSCN0010.jpg", 0)
    second = _seal_home_visit(tablet, "gps/DSCN0012.jpg", 4)
    outcomes = upload_outbox(store, evidence, tablet["sync"].client, team.token())
    assert [o.status for o in outcomes] == [UploadStatus.SYNCED] * 2
    batches = transport.calls("POST", "/evidence/batch")
    assert len(batches) == 1  # asked once, told 404, not asked again for the second record
    files = {e.sha256 for s in (first, second) for e in s.record.evidence}
    assert {p.url.path.rsplit("/", 1)[1] for p in transport.calls("PATCH", "/uploads/")} == files
    detail = server.api("GET", f"/cases/{DEMO_CASE_ID}", team.token()).json()
    assert {r["sealed"]["record"]["id"] for r in detail["records"]} >= {first.record.id, second.record.id}
