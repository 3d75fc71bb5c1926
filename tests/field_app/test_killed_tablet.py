"""The tablet app killed (SIGKILL, a real separate process: killed_tablet.py) mid-photo or mid-seal:
after reopening, the draft is intact, the seal happened wholly or not at all, and every evidence file
is complete (hashes to its name) or absent (R10 authentic evidence, R11 sealing)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from field_app.store import EvidenceStore, open_store
from field_app.store import queries as q
from field_app.store.evidence import TMP_PREFIX
from schemas.signed import seal_verifies
from tests.field_app.helpers import (
    complete_home_visit,
    photo,
    start_notified,
    vault_for,
)

REPO = Path(__file__).resolve().parents[2]


def _run(data_dir: Path, record_id: str, scenario: str, **popen: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.field_app.killed_tablet", str(data_dir), record_id,
                             scenario], cwd=REPO, **popen)  # type: ignore[call-overload]


def _killed(data_dir: Path, record_id: str, scenario: str) -> None:
    child = _run(data_dir, record_id, scenario, stderr=subprocess.PIPE)
    _, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode()


def _temporary(data_dir: Path) -> list[Path]:
    return list((data_dir / "evidence").rglob(f"{TMP_PREFIX}*"))


def _reopen(data_dir: Path):
    store = open_store(data_dir, vault_for(data_dir))
    with store.reading() as s:
        draft = [d for d in q.drafts(s)]
        outbox = [q.sealed_record(i) for i in q.outbox_items(s)]
    store.close()
    return draft, outbox


def _all_whole(evidence: EvidenceStore) -> bool:
    return all(evidence.verify(sha) for sha in evidence.stored())


def test_killed_after_writing_a_photo_but_before_its_rename_leaves_no_file_after_restart_r10(
        editor, store, data_dir):
    start_notified(editor)
    editor.add_photo(photo(), "DSCN0010.jpg")
    before = editor.record
    store.close()

    _killed(data_dir, before.id, "photo-before-rename")
    assert len(_temporary(data_dir)) == 1  # what the kill left behind
    evidence = EvidenceStore(data_dir / "evidence", vault_for(data_dir))  # the app starts again
    assert _temporary(data_dir) == []
    assert _reopen(data_dir) == ([before], [])
    assert evidence.stored() == {e.sha256 for e in before.evidence} and _all_whole(evidence)


def test_killed_inside_the_seal_transaction_keeps_the_draft_and_queues_nothing_r11(editor, store, data_dir):
    complete_home_visit(editor)
    before = editor.record
    store.close()

    _killed(data_dir, before.id, "seal-mid-commit")
    assert _reopen(data_dir) == ([before], [])  # no half state: the draft, and no outbox row


def test_killed_right_after_the_seal_commits_has_the_sealed_record_queued_and_no_draft_r11(
        editor, store, data_dir, team):
    complete_home_visit(editor)
    before = editor.record
    store.close()

    _killed(data_dir, before.id, "seal-after-commit")
    drafts, [sealed] = _reopen(data_dir)
    assert drafts == [] and sealed.record.model_copy(update={"sealed_at": None, "audit": sealed.record.audit[:-1]}) == before
    assert all(seal_verifies(sealed, s, team.public_key(s.surveyor)) for s in sealed.seals)


def test_killed_at_any_moment_while_adding_photos_every_saved_photo_is_whole_and_listed_r10(
        editor, store, data_dir):
    start_notified(editor)
    record_id = editor.record.id
    store.close()

    child = _run(data_dir, record_id, "photos", stdout=subprocess.PIPE, text=True)
    saved = []
    while len(saved) < 3:  # kill while the fourth photo is on its way to disk
        line = child.stdout.readline()
        assert line.startswith("saved "), line
        saved.append(line.split()[1])
    os.kill(child.pid, signal.SIGKILL)
    # on a busy machine the tablet saves on while the lines are read: what it said before the kill counts too
    rest, _ = child.communicate(timeout=30)
    saved += [line.split()[1] for line in rest.splitlines() if line.startswith("saved ")]
    assert child.returncode == -signal.SIGKILL

    evidence = EvidenceStore(data_dir / "evidence", vault_for(data_dir))
    assert _temporary(data_dir) == [] and _all_whole(evidence)
    [draft], outbox = _reopen(data_dir)
    listed = [e.sha256 for e in draft.evidence]
    # each saved photo listed in order; at most the one being saved when killed (listed, not yet said) beyond
    assert outbox == [] and listed[: len(saved)] == saved and len(listed) <= len(saved) + 1
    assert set(listed) <= evidence.stored()
