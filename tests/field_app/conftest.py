"""Fixtures for the tablet core: a real SQLite store and evidence dir in tmp_path, a hand clock,
and a client pointed at a port where nothing listens (a real 'offline')."""
from __future__ import annotations

import pytest

from field_app.capture import audio_spool
from field_app.store import EvidenceStore, keys, open_store
from field_app.sync.client import SyncClient
from field_app.viewmodels import CaseList, SyncPanel, TeamSession, VisitEditor
from field_app.viewmodels.recording import Recorder
from sync_server.edge.tls import TlsFiles, init_tls
from tests.field_app.helpers import (
    TEAM,
    Clock,
    Ticks,
    cache_case,
    case_summary,
    closed_port,
    seed_account,
    vault_for,
)


@pytest.fixture(autouse=True)
def quick_pin_keys(request, monkeypatch):
    """Scrypt at n=2**10 instead of 2**15 for keys made in these tests, except where the key
    itself is under test: the cost is stored in each blob, so the same code path runs."""
    if request.module.__name__.rsplit(".", 1)[-1] != "test_keys":
        monkeypatch.setattr(keys, "LOG2_N", 10)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "tablet"


@pytest.fixture
def vault(data_dir):
    """The test tablet's key vault (a key dir outside its data folder, as in web mode)."""
    return vault_for(data_dir)


@pytest.fixture
def store(data_dir, vault):
    s = open_store(data_dir, vault)
    yield s
    s.close()


@pytest.fixture
def evidence(data_dir, vault) -> EvidenceStore:
    return EvidenceStore(data_dir / "evidence", vault)


@pytest.fixture
def offline_client():
    client = SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=2.0)
    yield client
    client.close()


@pytest.fixture
def team(store, offline_client, clock) -> TeamSession:
    """The two surveyors of TEAM, known on this tablet and signed in offline."""
    session = TeamSession(store, offline_client, "device-test", clock)
    for username, name, pin in TEAM:
        seed_account(store, username, name, pin, now=clock())
        session.sign_in(username, pin)
    return session


@pytest.fixture
def server(tmp_path, clock):
    """The real sync server with demo data, running on 127.0.0.1 (see live_server.py)."""
    from tests.field_app.live_server import LiveServer

    live = LiveServer(tmp_path / "server", clock)
    live.start()
    yield live
    live.close()


@pytest.fixture
def transport():
    from tests.field_app.live_server import RecordingTransport

    recording = RecordingTransport()
    yield recording
    recording.close()


@pytest.fixture
def editor(store, evidence, team, clock) -> VisitEditor:
    """A visit editor on a tablet that has the demo case cached (no record open yet)."""
    cache_case(store, case_summary())
    return VisitEditor(store, evidence, team, clock)


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def recorder(editor, data_dir, ticks) -> Recorder:
    """The interview recorder of `editor` (a test module's own `editor` when it has one), on the hand clock."""
    return Recorder(editor, data_dir / audio_spool.POINTERS, ticks)


@pytest.fixture
def online_client(server, transport):
    client = SyncClient(server.url, transport=transport, timeout=10.0, device_id="tablet-yb-01")
    yield client
    client.close()


@pytest.fixture
def tablet(store, evidence, online_client, clock):
    """The view-models of one tablet, wired as app.py wires them, online to the live server."""
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    return {"team": team, "cases": CaseList(store, online_client, team, clock),
            "editor": VisitEditor(store, evidence, team, clock),
            "sync": SyncPanel(store, evidence, online_client, team, clock)}


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """The agency's CA and a server certificate for 127.0.0.1 (sync_server.edge.tls), one per test module."""
    return init_tls(tmp_path_factory.mktemp("agency"))


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """Another CA with a perfectly valid certificate for 127.0.0.1: what an attacker on the network has."""
    return init_tls(tmp_path_factory.mktemp("impostor"))
