"""The tablet killed (SIGKILL) while it uploads (issue 9, R10): mid-chunk, right after a chunk's offset was
acknowledged, after the record POST went out but before its answer, and after the server committed but
before the tablet kept the receipt. The sync runs in a child process (killed_sync.py: the real outbox,
resumable uploader and SyncClient over HTTPS pinned to the agency CA) on a real tablet data folder
(SQLCipher store, encrypted evidence, web-mode vault), against the real server process. A fresh child on
the same folder then finishes: every record is on the server once, every file byte-equal, and no more
than one chunk was sent twice (the tablet's own ledger of every PATCH body it put on the wire)."""
from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from field_app.store import OutboxStatus, open_store
from field_app.store import queries as q
from field_app.sync.client import SyncClient
from field_app.viewmodels import CaseList, TeamSession, VisitEditor
from schemas.protocol import CaseDetail
from sync_server.edge.tls import TlsFiles
from sync_server.ops.seed import DEMO_CASE_ID
from tests.field_app.helpers import Clock, open_tablet, vault_for
from tests.field_app.live_server import PINS
from tests.field_app.test_sync_live import _seal_home_visit
from tests.sync_server.server_process import Server
from tests.sync_server.test_cli import run_cli

REPO = Path(__file__).resolve().parents[2]
DEVICE = "tablet-yb-01"
CHUNK = 32 * 1024  # a 160 KB photo goes up in five chunks


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "server"
    assert run_cli("tls", "init", "--data-dir", str(data)).returncode == 0
    server = Server(data, tmp_path / "server.log", ca_file=TlsFiles.of(data).ca_cert).start()
    yield server
    server.stop()


def _seal_two_visits(data_dir: Path, server: Server) -> tuple[str, dict[str, bytes], list[str]]:
    """Sign the team in online, download the cases and seal two home visits; returns a device token,
    every evidence file's bytes and the record ids (the store is closed again)."""
    (store, evidence), clock = open_tablet(data_dir), Clock(datetime.now(UTC))
    client = SyncClient(server.url, ca_file=server.ca_file, device_id=DEVICE)
    team = TeamSession(store, client, DEVICE, clock)
    tablet = {"team": team, "cases": CaseList(store, client, team, clock),
              "editor": VisitEditor(store, evidence, team, clock)}
    for username in ("zhangwei", "lina"):
        team.sign_in(username, PINS[username])
    tablet["cases"].refresh()
    sealed = [_seal_home_visit(tablet, "gps/DSCN0010.jpg", 0), _seal_home_visit(tablet, "gps/DSCN0012.jpg", 5)]
    files = {e.sha256: evidence.read(e.sha256) for s in sealed for e in s.record.evidence}
    token = team.token()
    assert token is not None
    client.close()
    store.close()
    return token, files, [s.record.id for s in sealed]


def _sync(data_dir: Path, server: Server, ledger: Path, kill_at: str = "") -> subprocess.CompletedProcess[str]:
    assert server.ca_file is not None
    return subprocess.run([sys.executable, "-m", "tests.field_app.killed_sync", str(data_dir), server.url,
                           str(server.ca_file), DEVICE, str(ledger), str(CHUNK), kill_at],
                          cwd=REPO, capture_output=True, text=True, timeout=180, check=False)


def _sent_twice(ledger: Path, files: dict[str, bytes]) -> int:
    """Bytes the tablet put on the wire beyond each file's size once."""
    sent, shas = 0, set()
    for line in ledger.read_text().splitlines():
        sha, _offset, length, _size = line.split()
        sent += int(length)
        shas.add(sha)
    assert shas == set(files)  # every file went up (none was on the server before)
    return sent - sum(len(files[sha]) for sha in shas)


@pytest.mark.parametrize(("kill_at", "resent"), [
    ("PATCH /uploads/ 3 mid-body", CHUNK),  # the cut chunk was checked: the server kept none of it
    ("PATCH /uploads/ 2 after-reply", 0),  # the server's durable offset is where the new child goes on
    ("POST /records 1 after-body", 0),
    ("POST /records 1 after-reply", 0),
], ids=["mid-chunk", "after-chunk-acknowledged", "after-record-post", "after-commit"])
def test_a_tablet_killed_while_uploading_finishes_after_restart_with_everything_once_r10(
        data_dir, https_server, tmp_path, kill_at, resent):
    token, files, record_ids = _seal_two_visits(data_dir, https_server)
    ledger = tmp_path / "ledger.txt"

    killed = _sync(data_dir, https_server, ledger, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    finished = _sync(data_dir, https_server, ledger)
    assert finished.returncode == 0, finished.stderr
    outcomes = json.loads(finished.stdout.splitlines()[-1])
    assert {rid for rid, status, _code in outcomes} <= set(record_ids)
    assert all(status == "synced" for _rid, status, _code in outcomes)

    with https_server.api(token, device=DEVICE) as http:
        case = CaseDetail.model_validate_json(http.get(f"/cases/{DEMO_CASE_ID}").content)
        merged = [r.sealed.record.id for r in case.records]
        for rid in record_ids:
            assert merged.count(rid) == 1
        for sha, data in files.items():
            body = http.get(f"/evidence/{sha}").content
            assert hashlib.sha256(body).hexdigest() == sha and body == data
    assert _sent_twice(ledger, files) == resent <= CHUNK  # one interruption: at most one chunk again

    store = open_store(data_dir, vault_for(data_dir))
    with store.reading() as s:
        counts = q.outbox_counts(s)
        assert all(q.receipt(s, rid) is not None for rid in record_ids)
    store.close()
    assert counts[OutboxStatus.QUEUED] == counts[OutboxStatus.PROBLEM] == 0
