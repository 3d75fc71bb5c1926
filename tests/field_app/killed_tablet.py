"""A tablet process that is SIGKILLed at a chosen point (run by test_killed_tablet.py).

  python -m tests.field_app.killed_tablet DATA_DIR RECORD_ID SCENARIO

It opens the tablet's store, signs the team in offline, resumes the draft RECORD_ID, and then:
  photo-before-rename  adds a photo and kills itself once the temporary file is written, before its rename
  seal-mid-commit      seals, killing itself inside the transaction (outbox row and draft delete flushed)
  seal-after-commit    seals, killing itself the moment the transaction has committed
  photos               adds photos one after another, printing `saved <sha>` after each, until killed
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from field_app.store import evidence as evidence_module
from field_app.store import queries as q
from field_app.sync.client import SyncClient
from field_app.viewmodels import TeamSession, VisitEditor
from tests.field_app.helpers import TEAM, Clock, closed_port, open_tablet
from tests.media import PHOTOS

LOOP_PHOTOS = sorted((PHOTOS / "orientation").glob("*.jpg")) + sorted((PHOTOS / "gps").glob("*.jpg"))


def die(*_args: object, **_kwargs: object) -> None:
    """SIGKILL this process now: no exception handlers, no rollback, no cleanup."""
    os.kill(os.getpid(), signal.SIGKILL)


def main(data_dir: Path, record_id: str, scenario: str) -> None:
    """Run one scenario; it never returns normally except for an unknown scenario."""
    (store, evidence), clock = open_tablet(data_dir), Clock()
    team = TeamSession(store, SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=2.0), "device-test", clock)
    for username, _, pin in TEAM:
        team.sign_in(username, pin)
    editor = VisitEditor(store, evidence, team, clock)
    editor.resume(record_id)
    if scenario == "photo-before-rename":
        evidence_module.os.replace = die  # type: ignore[attr-defined]
        editor.add_photo(LOOP_PHOTOS[0].read_bytes(), LOOP_PHOTOS[0].name)
    elif scenario == "seal-mid-commit":
        real_delete = q.delete_draft

        def delete_then_die(session, rid):
            real_delete(session, rid)
            session.flush()  # both writes are in SQLite, not yet committed
            die()

        q.delete_draft = delete_then_die
        editor.seal({u: pin for u, _, pin in TEAM})
    elif scenario == "seal-after-commit":
        editor.subscribe(die)  # called right after the seal's transaction commits
        editor.seal({u: pin for u, _, pin in TEAM})
    elif scenario == "photos":
        for path in LOOP_PHOTOS:
            ref = editor.add_photo(path.read_bytes(), path.name)
            print(f"saved {ref.sha256}", flush=True)
        print("done", flush=True)
        signal.pause()
    sys.exit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
