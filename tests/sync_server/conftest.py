"""Fixtures: a seeded data dir (real SQLite, copied from one seeded template), the real app, a field team."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.db import make_engine, open_session
from sync_server.seed import seed_demo
from sync_server.settings import Settings
from tests.sync_server.helpers import ACCEPTED_ON, Clock, FieldTeam, api_client
from tests.sync_server.testclient import TestClient

START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Template:
    data_dir: Path
    team: FieldTeam


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """One seeded data dir where the team has signed in and registered keys through the real API.

    Each test works on a copy, so scrypt hashes the demo secrets once per run, not once per test."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    data_dir.mkdir()
    engine = make_engine(Settings(data_dir).db_url)
    with open_session(engine) as session:
        seed_demo(session, ACCEPTED_ON)
        session.commit()
    engine.dispose()
    app = create_app(Settings(data_dir), clock=Clock(START))
    with api_client(app) as client:
        team = FieldTeam.sign_in(client)
    app.state.services.engine.dispose()
    return Template(data_dir, team)


@pytest.fixture
def data_dir(seeded_template: Template, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(seeded_template.data_dir, target)
    return target


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, max_evidence_bytes=200_000)


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    app = create_app(settings, clock=clock)
    yield app
    app.state.services.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with api_client(app) as client:
        yield client


@pytest.fixture
def team(client: TestClient, seeded_template: Template) -> FieldTeam:
    """The demo team signed in on a tablet, each surveyor with a registered Ed25519 key; and a reviewer."""
    signed_in = seeded_template.team
    return FieldTeam(client, dict(signed_in.headers), dict(signed_in.keys))


OUTSIDER_PIN = "731946"


@pytest.fixture
def outsider(app: FastAPI, client: TestClient) -> tuple[dict[str, str], object]:
    """zhaolei, a surveyor of another team, signed in with a registered key."""
    from schemas.protocol import AccountRole
    from sync_server.auth import create_account
    from sync_server.tables import Team
    from tests.sync_server.helpers import register_key

    with app.state.services.session() as session:
        session.add(Team(id="team-yb-02", name="渝北区第二调查小组"))
        session.flush()
        create_account(session, username="zhaolei", name="赵磊", role=AccountRole.SURVEYOR,
                       work_id="YB-2026-031", password="Other#Team2026", team_id="team-yb-02",
                       pin=OUTSIDER_PIN)
        session.commit()
    response = client.post("/api/v1/auth/device-login",
                           json={"username": "zhaolei", "pin": OUTSIDER_PIN, "device_id": "tablet-yb-02"})
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    return headers, register_key(client, headers)
