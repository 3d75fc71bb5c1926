"""Where the director's dashboard spends its time (issue 20): `office.dashboard.figures` called in-process on
an already seeded database (bench/dashboard_exports.py seeds one through a server; `--seed` here seeds one
without), each SQL statement timed on its own (SQLAlchemy cursor events) and the rest counted as Python,
for the default period (this year up to today) and a whole seeded year; `--explain` prints PostgreSQL's
EXPLAIN ANALYZE (or SQLite's query plan) of every statement once.

  PYTHONPATH=. .venv/bin/python bench/dashboard_figures.py --url postgresql+psycopg://... [--runs 5] [--explain]
  PYTHONPATH=. .venv/bin/python bench/dashboard_figures.py [--seed 100000] [--sqlite]   # a throwaway database

Prints the median over `--runs` (after one warm-up) of the whole call and of each statement, in ms."""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _common import REPO_ROOT  # noqa: F401  (puts the repo on sys.path)
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from schemas.beijing import beijing_date
from schemas.workdays import HolidayTable
from sync_server.db import make_engine
from sync_server.office import dashboard, dashboard_tables
from sync_server.tables import Account
from tests.sync_server.dashboard_seed import FIRST_DAY

ADMIN = Account(username="admin", name="管理员", role="admin", password_hash="")


class Statements:
    """Each statement's time, keyed by its first words (enough to tell the dashboard's apart)."""

    def __init__(self, engine: Engine) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.seen: dict[str, tuple[str, Any]] = {}
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["began"] = time.perf_counter()

    def after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        key = " ".join(statement.split())[:90]
        self.times[key].append((time.perf_counter() - conn.info.pop("began")) * 1000)
        self.seen.setdefault(key, (statement, parameters))


def measure(engine: Engine, start: date, end: date, now: datetime, runs: int, explain: bool) -> None:
    table = HolidayTable.builtin()
    watch = Statements(engine)
    totals = []
    for k in range(runs + 1):
        watch.times.clear()
        began = time.perf_counter()
        with Session(engine) as session:
            out = dashboard.figures(session, ADMIN, start, end, now, table)
            dashboard_tables.tables(out)
        if k:
            totals.append((time.perf_counter() - began) * 1000)
            per_run = dict(watch.times)
            for key, spent in per_run.items():
                runs_of.setdefault(key, []).append(sum(spent))
    print(f"period {start} .. {end}: {out.total.received} cases, figures in {statistics.median(totals):.0f} ms "
          f"(median of {runs}; min {min(totals):.0f})")
    for key, spent in sorted(runs_of.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {statistics.median(spent):7.1f} ms  {key}")
    sql = sum(statistics.median(s) for s in runs_of.values())
    print(f"  {statistics.median(totals) - sql:7.1f} ms  Python (the rest)")
    runs_of.clear()
    event.remove(engine, "before_cursor_execute", watch.before)
    event.remove(engine, "after_cursor_execute", watch.after)
    if explain:
        _explain(engine, dict(watch.seen))


runs_of: dict[str, list[float]] = {}


def _explain(engine: Engine, seen: dict[str, tuple[str, Any]]) -> None:
    postgres = engine.dialect.name == "postgresql"
    for key, (statement, parameters) in seen.items():
        if not key.upper().startswith("SELECT"):
            continue
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        print(f"\n--- {key}\n" + "\n".join(" | ".join(str(c) for c in row) for row in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="", help="a seeded database (left as it is)")
    parser.add_argument("--seed", type=int, default=100_000, help="without --url: this many cases seeded into a "
                        "throwaway database")
    parser.add_argument("--sqlite", action="store_true", help="with --seed: SQLite, not PostgreSQL")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--today", default="", help="the Beijing date the page is read on (default: today)")
    args = parser.parse_args()
    now = datetime.combine(date.fromisoformat(args.today), datetime.min.time(), UTC) if args.today \
        else datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-figures-") as tmp:
        cluster, url = None, args.url
        if not url:
            url, cluster = _seeded(args.seed, args.sqlite, Path(tmp))
        try:
            engine = make_engine(url)
            with engine.connect() as conn:
                conn.execute(text("ANALYZE") if engine.dialect.name == "postgresql" else text("SELECT 1"))
                conn.commit()
            today = beijing_date(now)
            measure(engine, date(today.year, 1, 1), today, now, args.runs, args.explain)
            measure(engine, FIRST_DAY, date(2026, 10, 31), now, args.runs, args.explain)
            engine.dispose()
        finally:
            if cluster is not None:
                cluster.stop()


def _seeded(cases: int, sqlite: bool, work: Path) -> tuple[str, Any]:
    """A throwaway database with the demo's accounts and `cases` cases of the seeded year."""
    from sync_server.ops.seed import seed_demo
    from sync_server.settings import Settings
    from tests.sync_server.bulk import templates
    from tests.sync_server.dashboard_seed import seed_year
    from tests.sync_server.server_process import ACCEPTED_ON, RELEASED

    cluster = None
    url = ""
    if not sqlite:
        from tests.sync_server.postgres import PostgresCluster
        cluster = PostgresCluster().start()
        url = cluster.url(cluster.create_database(prefix="figures"))
    settings = Settings(work, database_url=url)
    seed_demo(settings, ACCEPTED_ON, clock=lambda: RELEASED)
    began = time.perf_counter()
    engine = make_engine(settings.db_url)
    kinds = templates()
    for first in range(0, cases, 5000):
        with Session(engine) as session:
            seed_year(session, min(5000, cases - first), kinds, first=first, light=True)
    engine.dispose()
    print(f"{cases} cases seeded in {time.perf_counter() - began:.0f} s")
    return settings.db_url, cluster


if __name__ == "__main__":
    main()
