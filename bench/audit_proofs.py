"""The audit log's part of a dossier export as the log grows (issue 9: a reviewer's export should not cost
more because the county has logged more): 10k, 100k and 1M entries in a real SQLite file.

  PYTHONPATH=. .venv/bin/python bench/audit_proofs.py [--sizes 10000,100000,1000000] [--records 20]

An export signs a checkpoint before and after logging itself, proves each of its records' entries and
proves the two checkpoints consistent. Printed per size: the one-time backfill of the stored subtrees (a
log of the previous release), then the whole log part of an export (`log_files` steps: two checkpoints,
an append, `--records` inclusion proofs and a consistency proof, all from stored subtrees) and the rows
it read; beside it, what it cost when every root and proof hashed the whole log (as before 2026-11-24):
the leaves read three times and one pass over them per root and proof.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from _common import REPO_ROOT  # noqa: F401  (puts the repo on sys.path)
from sqlalchemy import event, insert

from sync_server.db import make_engine, open_session
from sync_server.ops.seed import seed_demo
from sync_server.settings import Settings
from sync_server.tables import AuditEntry
from sync_server.transparency import audit, merkle
from sync_server.transparency.agency_key import load_or_create

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _fill(session, count: int) -> None:
    """`count` more entries after those the seed logged (positions go on without a gap)."""
    start = audit.tree_size(session)
    for first in range(start, start + count, 20_000):
        rows = []
        for position in range(first, min(first + 20_000, start + count)):
            entry = f'{{"kind":"evidence.downloaded","position":{position}}}'.encode()
            rows.append({"position": position, "at": AT, "kind": "evidence.downloaded", "actor": "wangfang",
                         "case_id": None, "subject": "", "entry": entry, "leaf_hash": merkle.leaf_hash(entry).hex()})
        session.execute(insert(AuditEntry), rows)
    session.commit()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def measure(size: int, records: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        seed_demo(settings, date(2026, 11, 16))
        key = load_or_create(settings.data_dir)
        engine = make_engine(settings.db_url)
        try:
            with open_session(engine) as session:
                _fill(session, size - audit.tree_size(session))
                began = time.perf_counter()
                audit.fill_nodes(session)
                session.commit()
                backfill = time.perf_counter() - began
            with open_session(engine) as session:
                n = audit.tree_size(session)
                rng = random.Random(1)
                picks = [rng.randrange(n) for _ in range(records)]
                reads = [0]

                def count(*_: object) -> None:
                    reads[0] += 1
                event.listen(engine, "after_cursor_execute", count)
                began = time.perf_counter()
                before = audit.checkpoint(session, key, AT)
                audit.log(session, "dossier.exported", AT, "wangfang")
                latest = audit.checkpoint(session, key, AT)
                proven = audit.log_proofs(session, latest.tree_size, picks, before.tree_size)
                whole = time.perf_counter() - began
                statements = reads[0]
                event.remove(engine, "after_cursor_execute", count)
                began = time.perf_counter()
                hashes = audit.leaves(session)
                read = time.perf_counter() - began
                began = time.perf_counter()
                assert merkle.inclusion_proof(picks[0], hashes) == proven.inclusion[picks[0]]  # one whole pass
                one_pass = time.perf_counter() - began
                session.rollback()
            old = 3 * read + (records + 3) * one_pass
            print(f"{n:>9,} entries: backfill of the stored subtrees (once) {_ms(backfill)}; the log part of an "
                  f"export of {records} records {_ms(whole)}, {statements} statements (when each root and proof "
                  f"hashed the whole log: about {_ms(old)})")
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--records", type=int, default=20)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args.records)


if __name__ == "__main__":
    main()
