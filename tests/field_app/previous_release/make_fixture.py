"""Makes the previous release's tablet data folder (the fixture of test_migrations.py), by running
the code of that release (69d0248), once. How to regenerate (from the repository root):

    rm -rf /tmp/release-69d0248 && mkdir /tmp/release-69d0248
    git archive 69d0248 | tar -x -C /tmp/release-69d0248
    PYTHONPATH=/tmp/release-69d0248 .venv/bin/python tests/field_app/previous_release/make_fixture.py \
        tests/field_app/previous_release

It writes field.db (committed), the small signature PNGs under evidence/ (committed) and
manifest.json. The photo files are NOT committed: the manifest names the test-media photo behind
each hash, and the test copies it to the old release's plain layout `evidence/ab/<sha256>`.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from field_app.store import EvidenceStore, open_store  # the previous release's code (see above)
from field_app.store import queries as q
from field_app.viewmodels import TeamSession, VisitEditor
from schemas.records import Role, VisitKind
from tests.field_app import helpers
from tests.field_app.helpers import (
    T0,
    TEAM,
    Clock,
    answer_all,
    cache_case,
    case_summary,
    photo,
    seed_account,
    strokes,
)

helpers.PHOTOS = Path(__file__).resolve().parents[4] / "shared" / "test-media" / "photos"  # type: ignore[misc]

PINS = {u: p for u, _, p in TEAM}
PHOTOS = {"draft": "gps/DSCN0021.jpg", "queued": "gps/DSCN0010.jpg", "synced": "gps/DSCN0012.jpg"}


def _visit(editor: VisitEditor, case, respondent: str, picture: str, seed: int) -> None:
    editor.start(case, VisitKind.HOME_VISIT)
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent(respondent, "本人", "s-1")
    answer_all(editor, editor.form)
    editor.add_photo(photo(picture), Path(picture).name)
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(seed))
    for i, (username, _, _) in enumerate(TEAM):
        editor.sign(Role.SURVEYOR_SIGNATURE, strokes(seed + 3 + i), surveyor=username)


def main(out: Path) -> None:
    work = Path(tempfile.mkdtemp())
    store, evidence, clock = open_store(work), EvidenceStore(work / "evidence"), Clock(T0)
    for username, name, pin in TEAM:
        seed_account(store, username, name, pin, now=clock(), token=f"previous-release-token-{username}")
    case = case_summary()
    cache_case(store, case)
    team = TeamSession(store, None, "device-previous-release", clock)  # type: ignore[arg-type]
    for username, _, pin in TEAM:  # offline sign-in, without a client
        team.members.append(team._sign_in_offline(username, pin))
    team.operator = TEAM[0][0]
    editor = VisitEditor(store, evidence, team, clock)
    records = {}
    for which, seed in (("synced", 0), ("queued", 10)):
        _visit(editor, case, f"迁移前受访人-{which}", PHOTOS[which], seed)
        records[which] = editor.seal(PINS).record.id
        clock.advance(minutes=5)
    with store.transaction() as s:
        q.mark_synced(s, records["synced"], clock())
    _visit(editor, case, "迁移前受访人-draft", PHOTOS["draft"], 20)
    records["draft"] = editor.record.id
    store.close()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work / "field.db", out / "field.db")
    photos = {hashlib.sha256(photo(p)).hexdigest(): p for p in PHOTOS.values()}
    committed = []
    for path in sorted((work / "evidence").glob("??/*")):
        if path.name not in photos:
            (out / "evidence" / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / "evidence" / path.parent.name / path.name)
            committed.append(path.name)
    manifest = {"release": "69d0248", "records": records, "photos": photos, "signatures": committed,
                "tokens": [f"previous-release-token-{u}" for u, _, _ in TEAM], "pins": PINS}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(work)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
