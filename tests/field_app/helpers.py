"""Builders for field_app tests: real photos, a controllable clock, local accounts, cases, strokes."""
from __future__ import annotations

import base64
import math
import socket
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from field_app.store import EvidenceStore, Store, open_store
from field_app.store import queries as q
from field_app.store.keys import create_key
from field_app.store.tables import LocalAccount
from field_app.store.vault import DirectoryVault
from schemas.forms import Form
from schemas.protocol import AccountPublic, AccountRole, CaseSummary, Subject
from schemas.records import VisitKind
from schemas.seal import key_id
from tests.media import PHOTOS

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TEAM = [("zhangwei", "张伟", "111111"), ("lina", "李娜", "222222")]


class Ticks:
    """A monotonic clock moved by hand (`t` seconds)."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def photo(name: str = "gps/DSCN0010.jpg") -> bytes:
    """Bytes of a real camera photo from the shared test media."""
    return (PHOTOS / name).read_bytes()


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_account(store: Store, username: str, name: str, pin: str, team_id: str = "team-1",
                 now: datetime = T0, token: str | None = None) -> LocalAccount:
    """A surveyor who signed in on this tablet before (as an online sign-in leaves it)."""
    _, raw, blob = create_key(pin, store.vault.device_secret())
    account = LocalAccount(username=username, name=name, role=AccountRole.SURVEYOR.value, work_id=f"W-{username}",
                           team_id=team_id, key_id=key_id(raw), public_key=base64.b64encode(raw).decode(),
                           private_key_blob=blob, key_registered=True, token=token,
                           token_expires_at=now + timedelta(days=30) if token else None,
                           first_signed_in_at=now, last_signed_in_at=now)
    with store.transaction() as s:
        s.add(account)
    return account


def vault_for(data_dir: Path) -> DirectoryVault:
    """The web-mode key vault of a test tablet: a key dir beside (never inside) its data folder."""
    return DirectoryVault(Path(data_dir).parent / f"{Path(data_dir).name}-keys", data_dir)


def open_tablet(data_dir: Path) -> tuple[Store, EvidenceStore]:
    """Open a test tablet's encrypted store and evidence files, as the app does at start."""
    vault = vault_for(data_dir)
    return open_store(data_dir, vault), EvidenceStore(Path(data_dir) / "evidence", vault)


def case_summary(case_id: str = "case-1", deadline: date = date(2026, 12, 4), **overrides: object) -> CaseSummary:
    """A case as the server lists it, authorized and entrusted unless told otherwise."""
    team = [AccountPublic(username=u, name=n, role=AccountRole.SURVEYOR, team_id="team-1") for u, n, _ in TEAM]
    subjects = [Subject(id="s-1", name="王建国", id_number="500112195001010011", relation="本人"),
                Subject(id="s-2", name="刘芳", id_number="500112195203020022", relation="配偶")]
    fields: dict = {"id": case_id, "title": f"王建国家庭 {case_id}", "entrusting_unit": "龙泉街道办事处",
                    "address": "重庆市渝北区龙泉路 8 号", "subjects": subjects, "authorization_recorded": True,
                    "entrustment_recorded": True, "released": True, "accepted_on": date(2026, 11, 20), "deadline": deadline,
                    "required_checks": [VisitKind.HOME_VISIT, VisitKind.NEIGHBOUR_INTERVIEW],
                    "team_id": "team-1", "team": team}
    fields.update(overrides)
    return CaseSummary(**fields)


def cache_case(store: Store, case: CaseSummary, now: datetime = T0) -> None:
    """Put a case in the tablet's cache, as a download does."""
    with store.transaction() as s:
        q.save_cases(s, case.team_id, [*q.cached_cases(s, case.team_id), case], now)


def strokes(seed: int = 0, points: int = 40) -> list[list[tuple[float, float]]]:
    """A plausible handwritten scribble (two strokes) inside a 600x240 pad."""
    first = [(40 + i * 12, 120 + 50 * math.sin((i + seed) / 3)) for i in range(points)]
    second = [(100 + seed * 7, 40), (130 + seed * 7, 200)]
    return [first, second]


def sample_answer(field_type: str) -> object:
    """A valid typed answer for a field type (numbers as typed text)."""
    return {"number": "３", "integer": "２", "money": "1,200.5", "date": "2015年6月1日", "yesno": True,
            "choice": "自有住房"}.get(field_type, "情况属实")


def answer_all(editor, form: Form) -> None:
    """Answer every question the form asks (tables are left without rows; hidden questions skipped)."""
    for field in form.fields():
        if field.type == "table" or field.id not in {f.id for f in editor.relevant()}:
            continue
        value = field.options[0] if field.type == "choice" else sample_answer(field.type)
        editor.set_answer(field.id, value)


def notify_all(editor) -> None:
    """Tick every notification item (R8): nothing may be captured before."""
    for item in editor.form.notification:
        editor.set_notification(item.id, True)


def start_notified(editor, case: CaseSummary | None = None, kind: VisitKind = VisitKind.HOME_VISIT) -> None:
    """Start a visit and do its notification step, as a team does at the door."""
    editor.start(case or case_summary(), kind)
    notify_all(editor)


def complete_home_visit(editor, case: CaseSummary | None = None) -> None:
    """Start and fill a home visit of `case` until nothing is missing but the seal (R8-R11)."""
    from schemas.records import Role

    editor.start(case or case_summary(), VisitKind.HOME_VISIT)
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent("王建国", "本人", "s-1")
    answer_all(editor, editor.form)
    editor.add_photo(photo("gps/DSCN0010.jpg"), "DSCN0010.jpg")
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(0))
    for i, (username, _, _) in enumerate(TEAM):
        editor.sign(Role.SURVEYOR_SIGNATURE, strokes(3 + i), surveyor=username)
