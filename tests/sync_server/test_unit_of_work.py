"""The unit of work (`api/deps.py`: `Transaction`): one transaction per write request, committed after the
route returns and before the answer leaves, rolled back when the route raises. Checked on a real app and
a real SQLite file with routes added for the test, each writing a named counter row."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from sync_server.api.deps import Transaction
from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.tables import Counter
from tests.sync_server.helpers import api_client


def app_with_write_routes(data_dir: Path) -> FastAPI:
    app = create_app(Settings(data_dir=data_dir))

    def writes(session: Transaction) -> dict[str, str]:
        session.add(Counter(name="test.written", value=1))
        return {"ok": "yes"}

    def writes_then_refuses(session: Transaction) -> None:
        session.add(Counter(name="test.refused", value=1))
        session.flush()  # the row is in the database's transaction, not yet committed
        raise ProblemError(Code.VALIDATION, "refused after a write")

    def commit_fails(session: Transaction) -> dict[str, str]:
        session.add(Counter(name="test.written", value=2))  # flushed only by the commit
        return {"ok": "the route returned"}

    for path, route in (("/test/writes", writes), ("/test/refuses", writes_then_refuses),
                        ("/test/commit-fails", commit_fails)):
        app.add_api_route(path, route, methods=["POST"])
    return app


def stored(app: FastAPI, name: str) -> int | None:
    with Session(app.state.services.engine) as session:
        row = session.get(Counter, name)
        return row.value if row else None


def test_a_write_route_is_committed_once_it_returns(tmp_path: Path) -> None:
    app = app_with_write_routes(tmp_path)
    with api_client(app) as client:
        assert client.post("/test/writes").status_code == 200
    assert stored(app, "test.written") == 1


def test_a_route_that_raises_leaves_nothing_behind(tmp_path: Path) -> None:
    app = app_with_write_routes(tmp_path)
    with api_client(app) as client:
        response = client.post("/test/refuses")
    assert response.status_code == 422 and response.json()["code"] == Code.VALIDATION.value
    assert stored(app, "test.refused") is None


def test_a_failed_commit_is_answered_as_a_failure_never_as_a_success(tmp_path: Path) -> None:
    app = app_with_write_routes(tmp_path)
    with api_client(app) as client:
        assert client.post("/test/writes").status_code == 200
        response = client.post("/test/commit-fails")  # the commit runs before the answer is sent
    assert response.status_code >= 500, response.text
    assert stored(app, "test.written") == 1
