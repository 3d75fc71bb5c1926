"""THE test of R21 on the tablet (issue 5 §5): a scripted visit through the real view-models against
the real server, with a marker in every field, then a search of the tablet's data folder (every
file: the database, its -wal/-shm, temp files, evidence) and of the app's logs for each marker in
plain, base64, hex and UTF-16 (LE and BE), and for windows of the photos' bytes: 0 hits.
After a sync, the confirmed record and its files are gone from the tablet, and its receipt is kept.

MASVS-STORAGE-1 (sensitive data stored encrypted), MASVS-STORAGE-2 (no leak to logs),
MASVS-CRYPTO-2 (keys in the vault), MASVS-PRIVACY-1 (only what the visit needs)."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import select

from field_app.store import queries as q
from field_app.sync.outbox import UploadStatus
from field_app.viewmodels import CaseList, SyncPanel, TeamSession, VisitEditor
from schemas.records import Outcome, Role, VisitKind
from schemas.seal import record_digest
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Subject as SubjectRow
from tests.field_app.helpers import photo, strokes
from tests.field_app.live_server import PINS
from tests.field_app.secrets_search import all_files, find, photo_windows

SCENES = ["gps/DSCN0010.jpg", "gps/DSCN0025.jpg", "mobile/jolla.jpg"]
MARK = "7Q3X"  # in every marker, so a hit is never a coincidence


@pytest.fixture
def app_log(tmp_path):
    """The app's log, as a file, at DEBUG for every logger (the tablet's, httpx's, flet's)."""
    path = tmp_path / "logs" / "app.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def _fill_every_field(editor: VisitEditor, markers: list[str]) -> None:
    """A marker in every free-text answer, a distinctive number in every number."""
    for n, field in enumerate(editor.form.fields()):
        if field.type in ("text", "longtext"):
            value: object = f"答案{MARK}{field.id}"
            markers.append(str(value))
        elif field.type == "number":
            value = f"{n + 1}7391{n + 3}"
            markers.append(str(value))
        elif field.type == "money":  # yuan, two decimals, within the form's bounds
            value = f"{n + 1}739.{n + 3:02d}"
            markers.append(str(value))
        elif field.type == "integer":
            value = "2"
        elif field.type == "date":
            value = "2015-06-01"
        elif field.type == "table":
            continue
        elif field.type == "choice":
            value = field.options[0]
        else:
            value = True
        editor.set_answer(field.id, value)


def test_a_visit_leaves_no_marker_and_no_photo_byte_readable_on_the_tablet_or_in_its_logs_r21(
        store, evidence, online_client, server, clock, app_log, data_dir):
    team = TeamSession(store, online_client, "tablet-yb-01", clock)
    cases = CaseList(store, online_client, team, clock)
    editor = VisitEditor(store, evidence, team, clock)
    panel = SyncPanel(store, evidence, online_client, team, clock)
    for username in ("zhangwei", "lina"):
        team.sign_in(username, PINS[username])
    cases.refresh()
    with store.reading() as s:
        tokens = [q.get_account(s, u).token for u in ("zhangwei", "lina")]  # type: ignore[union-attr]
    with server.app.state.services.session() as s:
        rows = s.exec(select(SubjectRow).where(SubjectRow.case_id == DEMO_CASE_ID)).all()
        id_numbers = [r.id_number for r in rows]
    assert all(tokens) and len(id_numbers) == 3
    markers: list[str] = [*tokens, *id_numbers, *(n[4:14] for n in id_numbers)]

    # visit 1: completed, sealed, waiting in the outbox
    case = cases.get(DEMO_CASE_ID)
    editor.start(case, VisitKind.HOME_VISIT)
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent(f"受访人{MARK}王某", "户主", f"{DEMO_CASE_ID}-s1")
    markers.append(f"受访人{MARK}王某")
    _fill_every_field(editor, markers)
    for i, scene in enumerate(SCENES[:2]):
        editor.add_photo(photo(scene), f"现场{MARK}{i}.jpg", caption=f"照片说明{MARK}{i}")
        markers += [f"照片说明{MARK}{i}", f"现场{MARK}{i}.jpg"]
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(1))
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="zhangwei")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(3), surveyor="lina")
    sealed = editor.seal({u: PINS[u] for u in ("zhangwei", "lina")})

    # visit 2: refused at the door, still a draft, with its notes and a photo
    editor.start(case, VisitKind.HOME_VISIT)
    editor.set_outcome(Outcome.REFUSED)
    for item in editor.form.notification:  # R8: nothing is captured before the notification step
        editor.set_notification(item.id, True)
    editor.set_respondent(f"拒访人{MARK}刘某", "配偶")
    editor.set_refusal_note(f"拒绝理由{MARK}：不愿意配合")
    editor.set_cannot_sign_reason(f"无法签名原因{MARK}")
    editor.add_photo(photo(SCENES[2]), f"门口{MARK}.jpg", caption=f"门口说明{MARK}")
    markers += [f"拒访人{MARK}刘某", f"拒绝理由{MARK}：不愿意配合", f"无法签名原因{MARK}", f"门口说明{MARK}"]
    draft_id = editor.record.id  # type: ignore[union-attr]

    blobs = [w for scene in SCENES for w in photo_windows(photo(scene))]
    wal = data_dir / "field.db-wal"
    assert wal.is_file() and wal.stat().st_size > 0  # the WAL is there and searched too
    assert data_dir.stat().st_mode & 0o077 == 0  # the folder is the app's own (0700)
    files = [p.name for p in all_files(data_dir)]
    assert "field.db" in files and sum(name.endswith(".enc") for name in files) >= 6
    # the search can find what it looks for (the log gets a marker, then loses it)
    assert find([], [markers[0]], blobs, {"probe": markers[0].encode("utf-16-be") + blobs[0]}) != []
    assert find([data_dir], markers, blobs, {"app.log": app_log.read_bytes()}) == []

    # sync: the server confirms visit 1; its record and files leave the tablet, a receipt stays
    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.SYNCED
    with store.reading() as s:
        receipt = q.receipt(s, sealed.record.id)
        assert q.outbox_items(s) == [] and q.load_draft(s, draft_id) is not None
    assert receipt is not None and receipt.digest == record_digest(sealed.record).hex()
    assert receipt.received_at is not None and receipt.case_id == DEMO_CASE_ID
    assert not any(evidence.has(ref.sha256) for ref in sealed.record.evidence)
    draft = editor.record
    assert draft is not None and all(evidence.verify(ref.sha256) for ref in draft.evidence)
    assert panel.synced == 1 and panel.pending == 0
    assert f"受访人{MARK}王某" in panel.describe(sealed.record.id)  # this session still shows whom (in memory)
    restarted = SyncPanel(store, evidence, online_client, team, clock).describe(sealed.record.id)
    assert restarted.startswith("入户调查") and MARK not in restarted  # after a restart: the receipt only
    assert find([data_dir], markers, blobs, {"app.log": app_log.read_bytes()}) == []
    assert Path(app_log).stat().st_size > 0  # the log did record the visit (httpx requests at least)
