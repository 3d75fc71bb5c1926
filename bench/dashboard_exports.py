"""The director's dashboard and the exports at scale (issue 20): time to first byte and to the last, through
the real server process (`python -m sync_server`, plain HTTP on 127.0.0.1) on a throwaway PostgreSQL
cluster (or SQLite with --sqlite), with `--cases` cases of a year seeded straight into the database
(tests/sync_server/dashboard_seed.py, light: one record a case, summaries written directly).

  PYTHONPATH=. .venv/bin/python bench/dashboard_exports.py [--cases 100000] [--runs 3] [--sqlite] [--only dashboard]

Prints, per request: median time to the first byte of the body and to its end (ms) over `--runs`
after one warm-up, and the bytes received. Figures, never pass/fail."""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _common import REPO_ROOT  # noqa: F401  (puts the repo on sys.path)
from sqlmodel import Session

from sync_server.db import make_engine
from sync_server.settings import Settings
from tests.sync_server.bulk import templates
from tests.sync_server.dashboard_seed import FIRST_DAY, seed_year
from tests.sync_server.helpers import CREDENTIALS
from tests.sync_server.server_process import Server

CHUNK = 5000
YEAR = f"from={FIRST_DAY.isoformat()}&to=2026-10-31"
REQUESTS = (
    ("dashboard page, default period", "/console/dashboard"),
    ("dashboard page, whole year", f"/console/dashboard?{YEAR}"),
    ("dashboard XLSX, all tables", f"/console/dashboard/all.xlsx?{YEAR}"),
    ("cases CSV", "/console/exports/cases.csv"),
    ("records CSV", "/console/exports/records.csv"),
    ("evidence CSV", "/console/exports/evidence.csv"),
    ("review decisions CSV", "/console/exports/reviews.csv"),
    ("cases XLSX", "/console/exports/cases.xlsx"),
    ("cases CSV, one unit", "/console/exports/cases.csv?township=渝北区回兴街道办事处"),
    ("OData Cases, first page", "/odata/v1/Cases"),
    ("OData Cases, $count and $filter", "/odata/v1/Cases?$count=true&$top=100&$filter=team_id eq 'team-yb-09'"),
    ("OData Records, first page", "/odata/v1/Records"),
)


def timed(client: httpx.Client, path: str) -> tuple[float, float, int]:
    """(ms to the first body byte, ms to the end, bytes)."""
    began = time.perf_counter()
    first, size = None, 0
    with client.stream("GET", path) as response:
        assert response.status_code == 200, (path, response.status_code, response.read()[:300])
        for piece in response.iter_raw():
            if first is None and piece:
                first = time.perf_counter()
            size += len(piece)
    end = time.perf_counter()
    return ((first or end) - began) * 1000, (end - began) * 1000, size


def run(cases: int, runs: int, database_url: str, work: Path, only: str = "") -> None:
    env = {"DATABASE_URL": database_url} if database_url else {}
    server = Server(work / "data", work / "server.log", env=env).start()
    try:
        began = time.perf_counter()
        settings = Settings(work / "data", database_url=database_url)
        engine = make_engine(settings.db_url)
        kinds = templates()
        for first in range(0, cases, CHUNK):
            with Session(engine) as session:
                seed_year(session, min(CHUNK, cases - first), kinds, first=first, light=True)
        engine.dispose()
        print(f"{cases} cases seeded in {time.perf_counter() - began:.0f} s "
              f"({'PostgreSQL' if database_url else 'SQLite'})")
        with httpx.Client(base_url=server.url, timeout=600) as client:
            login = client.post("/api/v1/auth/login", json={"username": "admin",
                                                             "password": CREDENTIALS["admin"].password})
            token = login.json()["token"]
            client.cookies.set("console_token", token, path="/console")
            client.headers["Authorization"] = f"Bearer {token}"
            for name, path in REQUESTS:
                if only not in name:
                    continue
                timed(client, path)  # warm-up
                found = [timed(client, path) for _ in range(runs)]
                first = statistics.median(f[0] for f in found)
                last = statistics.median(f[1] for f in found)
                print(f"  {name:<36} first byte {first:8.0f} ms   end {last:8.0f} ms   {found[-1][2] / 1e6:8.2f} MB")
    except Exception:
        print((work / "server.log").read_text()[-3000:])  # what the server said
        raise
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="the data dir's SQLite file, not PostgreSQL")
    parser.add_argument("--only", default="", help="only the requests whose name holds this, e.g. dashboard")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        cluster = None
        if not args.sqlite:
            from tests.sync_server.postgres import PostgresCluster
            cluster = PostgresCluster().start()
        try:
            url = cluster.url(cluster.create_database(prefix="dashboard")) if cluster else ""
            run(args.cases, args.runs, url, Path(tmp), args.only)
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
