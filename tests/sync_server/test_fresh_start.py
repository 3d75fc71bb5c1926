"""A fresh `python -m sync_server --seed-demo` (issue 19, start): one worker seeds the demo through the very app
it then serves, so the ~190 routes' dependency state is built once; the seed's own requests are not in its
metrics; and the demo is the same real case the separate `seed-demo` command makes."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import generate_latest

import sync_server.app
from schemas.protocol import API_PREFIX
from sync_server.__main__ import _serving_app
from sync_server.ops.seed import ADMIN, DEMO_CASE_ID, seed_demo
from sync_server.settings import Settings


def _requests_counted(app: FastAPI) -> list[str]:
    text = generate_latest(app.state.metrics.exposition()).decode()
    return [line for line in text.splitlines() if line.startswith("sync_http_requests_total{")]


async def _case_ids(app: FastAPI) -> list[str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        login = await http.post(f"{API_PREFIX}/auth/login", json={"username": ADMIN.username,
                                                                   "password": ADMIN.password})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        known = await http.get(f"{API_PREFIX}/intake/cases/{DEMO_CASE_ID}", headers=headers)
        assert known.status_code == 200, known.text
        return [known.json()["case_id"]]


def test_one_worker_seeds_through_the_app_it_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    made: list[FastAPI] = []
    create = sync_server.app.create_app

    def counted(*args: Any, **kwargs: Any) -> FastAPI:
        made.append(create(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(sync_server.app, "create_app", counted)
    app = _serving_app(Settings(tmp_path / "data"), seed=True)
    try:
        assert made == [app]  # one app: seeded, then served
        assert _requests_counted(app) == []  # the seed's ~50 requests are not the server's
        assert anyio.run(_case_ids, app) == [DEMO_CASE_ID]
        assert _requests_counted(app)  # and the server's own are counted
    finally:
        app.state.services.engine.dispose()


def test_the_served_seed_makes_what_the_seed_command_makes(tmp_path: Path):
    """Same rows, table by table, as `seed-demo` (a separate app) on another fresh folder."""
    from sqlalchemy import inspect, text

    served = _serving_app(Settings(tmp_path / "served"), seed=True)
    alone = Settings(tmp_path / "alone")
    seed_demo(alone, date.today())
    try:
        counts = []
        for engine in (served.state.services.engine, sync_server.app.create_app(alone).state.services.engine):
            with engine.connect() as connection:
                names = sorted(inspect(connection).get_table_names())
                counts.append({n: connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar()  # noqa: S608
                               for n in names})
            engine.dispose()
    finally:
        served.state.services.engine.dispose()
    assert counts[0]["cases"] == 2 and counts[0]["accounts"] == 6
    assert counts[0] == counts[1]


def test_a_failing_step_among_several_at_once_is_raised_as_itself():
    """The accounts are made at once (their hashes on both cores); a refusal still reads as the seed's error."""
    from sync_server.ops.seed import _together

    async def refused() -> None:
        raise RuntimeError("演示数据写入失败 / demo seeding failed: POST /accounts: 409")

    async def fine() -> None:
        await anyio.sleep(0)

    with pytest.raises(RuntimeError, match="demo seeding failed"):
        anyio.run(_together, [fine, refused, fine])


def test_making_the_app_builds_no_routes_dependency_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """FastAPI 0.165 checks a router included without a prefix by building the dependency state of every route
    nested in it, which the app never uses (it builds its own at the first request): the app includes the
    /api/v1 and /exchange/v1 routers under their prefixes and the console's page routers one by one. Counted
    through FastAPI's own builder (a private name: if it goes, this fails and must be rewritten, not dropped)."""
    import fastapi.routing

    built: list[str] = []
    populate = fastapi.routing._populate_api_route_state

    def counted(route: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        built.append(path)
        return populate(route, path, *args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "_populate_api_route_state", counted)
    app = sync_server.app.create_app(Settings(tmp_path / "data"))
    try:
        assert built == ["/"]  # the app's own root route, made in create_app
        assert anyio.run(_case_ids_or_status, app) == 401  # and the routes answer, checks included
        assert len(built) > 150  # built once, for serving, at the first request
    finally:
        app.state.services.engine.dispose()


async def _case_ids_or_status(app: FastAPI) -> int:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        return (await http.get(f"{API_PREFIX}/intake/cases/{DEMO_CASE_ID}")).status_code
