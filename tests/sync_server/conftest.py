"""Fixtures: a seeded data dir (real SQLite, copied from one seeded template), the real app, a field team.

Tests marked `both_databases` run twice, ids `[sqlite]` and `[postgres]`: the second time the server
works on a database of a throwaway PostgreSQL cluster (tests/sync_server/postgres.py), one database per
test copied from a seeded template database. The cluster starts only when such a test runs; if it
cannot start, those tests fail (never skip)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.ops.seed import seed_demo
from sync_server.settings import Settings
from tests.sync_server.ceph import CephError, CephRgw
from tests.sync_server.helpers import ACCEPTED_ON, RELEASED, Clock, FieldTeam, api_client
from tests.sync_server.postgres import ClusterError, PostgresCluster
from tests.sync_server.testclient import TestClient

START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
SQLITE, POSTGRES = "sqlite", "postgres"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: run on SQLite and on a real PostgreSQL cluster "
                                       "(ids [sqlite] and [postgres])")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`both_databases` tests get the `backend` fixture parametrized; the others stay on SQLite."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("backend", [SQLITE, POSTGRES], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test's server uses: "sqlite" unless the test is marked `both_databases`."""
    return getattr(request, "param", SQLITE)


_started: list[PostgresCluster] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for cluster in _started:
        terminalreporter.write_line(f"PostgreSQL {cluster.bindir.parent.name}: throwaway cluster on "
                                    f"127.0.0.1:{cluster.port}, initdb + start took {cluster.started_in:.2f}s")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster for the whole run (initdb in a temp dir, 127.0.0.1, free port)."""
    try:
        cluster = PostgresCluster().start()
    except ClusterError as error:
        pytest.fail(f"PostgreSQL tests need a throwaway cluster and it could not start: {error}",
                    pytrace=False)
    _started.append(cluster)
    try:
        yield cluster
    finally:
        cluster.stop()


@dataclass(frozen=True)
class Template:
    data_dir: Path
    team: FieldTeam
    database: str | None = None  # PostgreSQL: the seeded template database


def build_template(data_dir: Path, database_url: str = "", database: str | None = None) -> Template:
    """Seed, then sign the team in and register their keys through the real API."""
    data_dir.mkdir()
    settings = Settings(data_dir, database_url=database_url)
    seed_demo(settings, ACCEPTED_ON, clock=Clock(RELEASED))  # released before the helpers' visits start (T0)
    app = create_app(settings, clock=Clock(START))
    with api_client(app) as client:
        team = FieldTeam.sign_in(client)
    app.state.services.engine.dispose()
    return Template(data_dir, team, database)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """One seeded SQLite data dir where the team has signed in and registered keys.

    Each test works on a copy, so scrypt hashes the demo secrets once per run, not once per test."""
    return build_template(tmp_path_factory.mktemp("template") / "data")


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory,
                      postgres_cluster: PostgresCluster) -> Template:
    """The same, in a PostgreSQL database that each test's database is copied from."""
    name = postgres_cluster.create_database(prefix="template")
    return build_template(tmp_path_factory.mktemp("pg-template") / "data", postgres_cluster.url(name), name)


@pytest.fixture
def template(backend: str, request: pytest.FixtureRequest) -> Template:
    return request.getfixturevalue("seeded_template" if backend == SQLITE else "postgres_template")


@pytest.fixture
def database_url(backend: str, template: Template, request: pytest.FixtureRequest) -> Iterator[str]:
    """"" (the data dir's SQLite file) or a fresh copy of the PostgreSQL template database."""
    if backend == SQLITE:
        yield ""
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database(template=template.database)
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if backend == SQLITE:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database(prefix="empty")
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def data_dir(template: Template, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template.data_dir, target)
    return target


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    """The app's background delivery workers (results to the units, cross-province packages) wait an hour
    before their first pass: in a test nothing runs behind its back (a pass between two requests claimed a
    message, or added statements to a count); tests deliver by hand (documents/result_delivery.deliver_due,
    office/cross_outbox.deliver_due). Server processes (server_process.Server) keep the real interval."""
    return Settings(data_dir=data_dir, database_url=database_url, max_evidence_bytes=200_000, exchange_poll_s=3600)


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
def team(client: TestClient, template: Template) -> FieldTeam:
    """The demo team signed in on a tablet, each surveyor with a registered Ed25519 key; and a reviewer."""
    signed_in = template.team
    return FieldTeam(client, dict(signed_in.headers), dict(signed_in.keys))


OUTSIDER_PIN = "731946"


@pytest.fixture
def outsider(app: FastAPI, client: TestClient) -> tuple[dict[str, str], object]:
    """zhaolei, a surveyor of another team, signed in with a registered key."""
    from schemas.protocol import AccountRole
    from sync_server.accounts.auth import create_account
    from sync_server.tables import Team
    from tests.sync_server.helpers import register_key

    with app.state.services.session() as session:
        session.add(Team(id="team-yb-02", name="渝北区第二调查小组"))
        session.flush()
        create_account(session, username="zhaolei", name="赵磊", role=AccountRole.SURVEYOR,
                       work_id="YB-2026-031", password="Other#Team2026", team_id="team-yb-02",
                       pin=OUTSIDER_PIN)
        session.commit()
    from tests.sync_server.office_helpers import clear_for_field_work
    clear_for_field_work(app, "zhaolei")
    response = client.post("/api/v1/auth/device-login",
                           json={"username": "zhaolei", "pin": OUTSIDER_PIN, "device_id": "tablet-yb-02"})
    headers = {"Authorization": f"Bearer {response.json()['token']}", "X-Device-Id": "tablet-yb-02"}
    return headers, register_key(client, headers, OUTSIDER_PIN)


@pytest.fixture(scope="module")
def ceph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CephRgw]:
    """A throwaway Ceph RADOS Gateway for the module that asks for it (the S3 tests)."""
    rgw = CephRgw(tmp_path_factory.mktemp("ceph"))
    try:
        rgw.start()
    except CephError as error:
        pytest.fail(f"the S3 tests need a Ceph RADOS Gateway and it could not start: {error}", pytrace=False)
    try:
        yield rgw
    finally:
        rgw.stop()
