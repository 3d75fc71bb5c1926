"""The audit log's part of a dossier export as the log grows (issue 9: a reviewer's export should not cost
more because the county has logged more): 10k, 100k and 1M entries in a real SQLite file.

  PYTHONPATH=. .venv/bin/python bench/audit_proofs.py [--sizes 10000,100000,1000000] [--records 20]

An export signs a checkpoint before and after logging itself, proves each of its records' entries and
proves the two checkpoints consistent. Printed per size: reading the leaf hashes, building the kept-node
tree once, one inclusion and one consistency proof from it, and the whole log part (`log_files` steps:
one read, two checkpoints, `--records` proofs); beside it, what each proof cost when every proof hashed
the whole log again (a tree built per proof, as before 2026-11-24) and the log read three times.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from _common import REPO_ROOT  # noqa: F401  (puts the repo on sys.path)
from sqlalchemy import insert

from sync_server import audit
from sync_server.db import make_engine, open_session
from sync_server.seed import seed_demo
from sync_server.settings import Settings
from sync_server.tables import AuditEntry
from sync_server.transparency import merkle
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
            with open_session(engine) as session:
                began = time.perf_counter()
                hashes = audit.leaves(session)
                read = time.perf_counter() - began
                n = len(hashes)
                rng = random.Random(1)
                picks = [rng.randrange(n) for _ in range(records)]

                began = time.perf_counter()
                tree = audit.held_tree(session)
                before = audit.checkpoint(session, key, AT, tree)
                logged = audit.log(session, "dossier.exported", AT, "wangfang")
                tree.append(bytes.fromhex(logged.leaf_hash))
                audit.checkpoint(session, key, AT, tree)
                proofs = [tree.inclusion_proof(i) for i in picks]
                tree.consistency_proof(before.tree_size)
                whole = time.perf_counter() - began

                built = time.perf_counter()
                merkle.Tree(hashes)
                build = time.perf_counter() - built
                one = time.perf_counter()
                tree.inclusion_proof(picks[0])
                inclusion = time.perf_counter() - one
                one = time.perf_counter()
                tree.consistency_proof(n // 2)
                consistency = time.perf_counter() - one
                one = time.perf_counter()
                assert merkle.inclusion_proof(picks[0], tree.levels[0]) == proofs[0]  # a whole tree for one proof
                rebuilt = time.perf_counter() - one
                session.rollback()
            old = 3 * read + (records + 3) * rebuilt  # three reads; two roots, each proof and the consistency
            print(f"{n:>9,} entries: read leaves {_ms(read)}, build tree {_ms(build)}, then one inclusion proof "
                  f"{inclusion * 1e6:6.0f} µs, one consistency {consistency * 1e6:6.0f} µs")
            print(f"{'':>20}the log part of an export of {records} records: {_ms(whole)} "
                  f"(when each proof hashed the whole log: about {_ms(old)})")
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
