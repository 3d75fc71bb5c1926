"""Issue 19: the requests of a visit take as few database sessions (pooled connections) as their work needs,
and give every one back. The missing-files question checks the token and reads the claims in one session;
a batch checks the token, its members and what the caller holds in one, and records the stored files in a
second (no session is held while its body streams); each request's session (api/deps.get_session) is closed."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from sqlalchemy import event

from schemas.protocol import API_PREFIX
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.test_batch_upload import post_batch


@contextmanager
def checkouts(app: FastAPI) -> Iterator[list[int]]:
    """How many connections are taken from the pool meanwhile (one per session that talks to the database)."""
    pool = app.state.services.engine.pool
    taken: list[int] = []

    def count(*_args: object) -> None:
        taken.append(1)

    event.listen(pool, "checkout", count)
    try:
        yield taken
    finally:
        event.remove(pool, "checkout", count)


def test_a_visits_requests_take_one_session_per_step_and_give_each_back(team: FieldTeam, app: FastAPI) -> None:
    visit = home_visit("rec-hv-sessions")
    pool = app.state.services.engine.pool
    with checkouts(app) as taken:
        asked = team.client.post(f"{API_PREFIX}/evidence/missing", json={"sha256": list(visit.files)},
                                 headers=team.headers["zhangwei"])
    assert asked.status_code == 200, asked.text
    assert len(asked.json()["missing"]) == len(visit.files)
    assert len(taken) == 1  # before: the token's session, then the claims' session

    with checkouts(app) as taken:
        sent = post_batch(team, list(visit.files.items()))
    assert sent.status_code == 200, sent.text
    assert all(f["stored"] for f in sent.json()["files"])
    assert len(taken) == 2  # before: 3 (the token's, what the caller holds, the stored files)

    with checkouts(app) as taken:
        posted = team.post(team.seal(visit.record))
    assert posted.status_code == 200 and posted.json()["status"] == "merged", posted.text
    assert len(taken) == 2  # one session: its connection goes back at the commit, is taken again to answer
    assert pool.checkedout() == 0  # every session closed: its connection is back in the pool
