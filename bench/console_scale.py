"""The console at scale (issue 9): the case list and the case page at 1k, 10k and 100k records, and
POST /records into a case of 10 and of 200 records, through the real app (FastAPI TestClient, real
SQLite file or a throwaway PostgreSQL cluster), with the SQL statements each request runs.

  PYTHONPATH=. .venv/bin/python bench/console_scale.py [--sizes 1000,10000,100000] [--runs 7]
                                                        [--per-case 10] [--postgres] [--bare]

Each database is the seeded demo (team signed in, keys registered through the API) plus bulk cases of
`--per-case` realistic records each (tests/sync_server/bulk.py: copies of real sealed visits, stored as ingest
stores them, summaries computed by the same code as a commit), plus one case of 10 and one of 200
records. With `--bare` the sizes are numbers of CASES, each with two subjects and no records
(tests/sync_server/bulk_cases.py: 100k cases in seconds; what the case list, its filters and its search
read is the same). Prints build seconds, then per request: median and max ms over `--runs`, and statements.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _common import REPO_ROOT  # noqa: F401  (puts the repo on sys.path)
from sqlalchemy import event, func
from sqlmodel import select

from schemas.signed import seal_v2
from sync_server.app import create_app
from sync_server.casework import summaries
from sync_server.ops.seed import DEMO_CASE_ID, seed_demo
from sync_server.settings import Settings
from sync_server.tables import Record
from tests.sync_server.bulk import add_cases, insert_records, record_rows, templates
from tests.sync_server.bulk_cases import add_bare_cases
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import ACCEPTED_ON, Clock, FieldTeam, Visit, api_client, home_visit

START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: object) -> None:
        self.count += 1


def measure(engine: object, runs: int, action: Callable[[], object]) -> tuple[float, float, int]:
    """Median and max ms of `runs` calls (after one warm-up), and the statements of the last call."""
    action()
    times, counter = [], Counter()
    for _ in range(runs):
        counter.count = 0
        event.listen(engine, "before_cursor_execute", counter)
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
        event.remove(engine, "before_cursor_execute", counter)
    return statistics.median(times), max(times), counter.count


def ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, response.text
    return response


def run_size(total: int, per_case: int, runs: int, database_url: str, work: Path, bare: bool = False) -> None:
    data_dir = work / f"data-{total}"
    data_dir.mkdir()
    settings = Settings(data_dir, database_url=database_url, max_evidence_bytes=2_000_000)
    clock = Clock(START)
    seed_demo(settings, ACCEPTED_ON, clock=clock)
    app = create_app(settings, clock=clock)
    engine = app.state.services.engine
    with api_client(app) as client:
        team = FieldTeam.sign_in(client)
        kinds = templates(team.keys)
        began = time.perf_counter()
        with app.state.services.session() as session:
            bulk = total if bare else max(0, total - 210) // per_case
            if bare:
                add_bare_cases(session, total)
            for first in range(0, 0 if bare else bulk, 1000):
                add_cases(session, first, min(1000, bulk - first), per_case, kinds)
            add_cases(session, 900_000, 1, 10, kinds, prefix="case-ten")
            add_cases(session, 900_001, 1, 200, kinds, prefix="case-twohundred")
        built = time.perf_counter() - began
        with app.state.services.session() as session:
            records = session.exec(select(func.count()).select_from(Record)).one()
        print(f"\n== {records} records in {bulk + 4} cases ({'PostgreSQL' if database_url else 'SQLite'}), "
              f"built in {built:.1f} s ==")
        console_login(client, "wangfang")
        api = team.headers["wangfang"]
        requests = {
            "GET /console/cases (first page)": lambda: ok(client.get("/console/cases")),
            "GET /console/cases?status=incomplete&due=overdue": lambda: ok(client.get(
                "/console/cases?status=incomplete&due=overdue")),
            "GET /console/cases?q=王建国 (search)": lambda: ok(client.get("/console/cases?q=王建国")),
            "GET /console/cases?q=之子&township=… (search+filter)": lambda: ok(client.get(
                "/console/cases", params={"q": "之子", "township": "渝北区回兴街道办事处"})),
            "GET /console/cases?q=0101 (ID number part)": lambda: ok(client.get("/console/cases?q=0101")),
            "GET /api/v1/review/cases?q=5001&page=3": lambda: ok(client.get("/api/v1/review/cases?q=5001&page=3",
                                                                           headers=api)),
            "GET /console/cases/{case of 10 records}": lambda: ok(client.get(
                "/console/cases/case-ten-900000")),
            "GET /console/cases/{case of 200 records}": lambda: ok(client.get(
                "/console/cases/case-twohundred-900001")),
            "GET /api/v1/cases/{case of 200 records}": lambda: ok(client.get(
                "/api/v1/cases/case-twohundred-900001", headers=api)),
        }
        for name, action in requests.items():
            median, worst, statements = measure(engine, runs, action)
            print(f"  {name:<48} median {median:8.1f} ms  max {worst:8.1f} ms  {statements:3d} statements")
        post_records(app, team, runs, kinds)
    engine.dispose()


def post_records(app: object, team: FieldTeam, runs: int, kinds: dict) -> None:
    """POST /records (sealed with the team's keys, files already uploaded) into the released demo case
    holding 10, then 200 records."""
    engine = app.state.services.engine  # type: ignore[attr-defined]
    visit = home_visit("rec-post-warm")
    team.upload(visit.files)
    held = 0
    for target in (10, 200):
        with app.state.services.session() as session:  # type: ignore[attr-defined]
            rows, bodies = record_rows(DEMO_CASE_ID, 0, target - held, kinds, first=held)
            insert_records(session, rows, bodies)
            summaries.refresh(session, [DEMO_CASE_ID])
            session.commit()
        held = target
        median, worst, statements = measure(engine, runs, poster(team, visit, f"rec-post-{target}"))
        held += runs + 1
        print(f"  {f'POST /api/v1/records (case of {target} records)':<48} median {median:8.1f} ms  "
              f"max {worst:8.1f} ms  {statements:3d} statements")


def poster(team: FieldTeam, visit: Visit, prefix: str) -> Callable[[], object]:
    """A POST of the visit under a new record id at each call."""
    numbers = itertools.count()

    def post() -> object:
        visit.record.id = f"{prefix}-{next(numbers)}"
        return ok(team.post(seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})))
    return post


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster, not SQLite")
    parser.add_argument("--bare", action="store_true", help="sizes are cases, with no records (fast to build)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        cluster = None
        if args.postgres:
            from tests.sync_server.postgres import PostgresCluster
            cluster = PostgresCluster().start()
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                url = cluster.url(cluster.create_database(prefix=f"scale{size}")) if cluster else ""
                run_size(size, args.per_case, args.runs, url, Path(tmp), args.bare)
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
