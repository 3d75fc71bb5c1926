"""A whole visit in one request (issue 19, R10): against a REAL server the tablet sends each record's files,
phone photo included, in one batch (no resumable chunks), and the records merge with every file
byte-equal. Through a proxy that cuts the bundle mid-body, nothing of it is stored, the tablet falls back
to the usual path (small files batched, the photo resumably) and bundles no more in that sync."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from field_app.sync.client import SyncClient
from field_app.sync.outbox import UploadStatus, upload_outbox
from schemas.protocol import SMALL_FILE_BYTES
from sync_server.ops.seed import DEMO_CASE_ID
from tests.field_app.live_server import LiveServer, RecordingTransport
from tests.field_app.test_sync_live import _seal_home_visit, _sign_in_team
from tests.sync_server.cutting_proxy import CuttingProxy

PHONE_PHOTO = "mobile/HMD_Nokia_8.3_5G.jpg"  # 2.2 MB: no small file, resumable unless bundled


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[CuttingProxy]:
    cutting = CuttingProxy(server.port)
    yield cutting
    cutting.close()


def _files_on_server(server: LiveServer, token: str, files: dict[str, bytes]) -> None:
    for sha, data in files.items():
        assert server.api("GET", f"/evidence/{sha}", token).content == data


def test_each_visit_goes_up_in_one_request_and_merges_r10(tablet, server, transport: RecordingTransport,
                                                         store, evidence):
    team = _sign_in_team(tablet)
    sealed = [_seal_home_visit(tablet, PHONE_PHOTO, 0), _seal_home_visit(tablet, "gps/DSCN0012.jpg", 4)]
    assert max(ref.size for ref in sealed[0].record.evidence) > SMALL_FILE_BYTES  # the photo is no small file
    files = {ref.sha256: evidence.read(ref.sha256) for s in sealed for ref in s.record.evidence}  # the tablet
    outcomes = upload_outbox(store, evidence, tablet["sync"].client, team.token())  # forgets them once synced
    assert [o.status for o in outcomes] == [UploadStatus.SYNCED] * 2
    assert len(transport.calls("POST", "/evidence/batch")) == 2  # one per visit, every file in it
    assert transport.calls("PATCH", "/uploads/") == []
    assert len(transport.calls("POST", "/evidence/missing")) == 2
    detail = server.api("GET", f"/cases/{DEMO_CASE_ID}", team.token()).json()
    assert {r["sealed"]["record"]["id"] for r in detail["records"]} >= {s.record.id for s in sealed}
    _files_on_server(server, team.token(), files)


def test_a_cut_bundle_stores_nothing_and_the_files_go_up_the_usual_way_r10(tablet, server, proxy, store, evidence):
    team = _sign_in_team(tablet)
    sealed = [_seal_home_visit(tablet, PHONE_PHOTO, 0), _seal_home_visit(tablet, "mobile/jolla.jpg", 4)]
    photo = max(sealed[0].record.evidence, key=lambda ref: ref.size)
    files = {ref.sha256: evidence.read(ref.sha256) for s in sealed for ref in s.record.evidence}
    recording = RecordingTransport()
    budgets = iter([300_000])  # the first connection carries the question and 300 kB of the bundle, then is cut
    proxy.budget = lambda: next(budgets, None)
    client = SyncClient(proxy.url, transport=recording, timeout=10.0, device_id="tablet-yb-01")
    try:
        outcomes = upload_outbox(store, evidence, client, team.token())
    finally:
        client.close()
    assert [o.status for o in outcomes] == [UploadStatus.SYNCED] * 2
    assert proxy.cuts == 1
    batches = recording.calls("POST", "/evidence/batch")
    assert len(batches[0].headers["Evidence-Batch"].split(",")) == len({r.sha256 for r in sealed[0].record.evidence})
    assert all(photo.sha256 not in b.headers["Evidence-Batch"] for b in batches[1:])  # no bundle again
    assert {p.url.path.rsplit("/", 1)[1] for p in recording.calls("PATCH", "/uploads/")} == {
        max(s.record.evidence, key=lambda ref: ref.size).sha256 for s in sealed}  # the photos, resumably
    _files_on_server(server, team.token(), files)
