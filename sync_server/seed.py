"""Demo data, entered through the same service functions the API routes call: an administrator
(bootstrapped), the agency and the township, the staff with pledges and training, a survey team, a
case released after two conformity checks, and a case still lacking the family's authorization.

The passwords and PINs are constants so a run script can print them; they pass the same checks
as real ones (R6). `seed_demo` adds only what is missing, so running it twice changes nothing.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import anyio
from PIL import Image, ImageDraw
from sqlmodel import Session

from schemas.methods import Method
from schemas.office import (
    AuthorizationForm,
    ConformityDecision,
    CredentialKind,
    DocumentKind,
    NewAccount,
    NewCase,
    NewOrganisation,
    NewSubject,
    NewTeam,
    OrgKind,
    Post,
)
from schemas.protocol import AccountRole
from sync_server import conformity, intake, staff
from sync_server.auth import create_account
from sync_server.blobs import BlobStore
from sync_server.id_numbers import make_id_number
from sync_server.tables import Account, Case, Organisation, Team
from sync_server.uploads import StoredUpload, store_upload

DEMO_TEAM_ID = "team-yb-01"
DEMO_TEAM_NAME = "渝北区第一调查小组"
DEMO_UNIT = "渝北区龙溪街道办事处"
DEMO_AGENCY = "yb-hdzx"
DEMO_TOWNSHIP = "yb-longxi"
DEMO_CASE_ID = "case-yb-2026-0001"
UNAUTHORIZED_CASE_ID = "case-yb-2026-0002"
YUBEI = "500112"  # 重庆市渝北区 administrative code


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: AccountRole
    work_id: str
    password: str
    pin: str = ""
    unit: str = ""
    posts: tuple[Post, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount("zhangwei", "张伟", AccountRole.SURVEYOR, "YB-2026-017", "Survey#2026zw", pin="480317"),
    DemoAccount("lina", "李娜", AccountRole.SURVEYOR, "YB-2026-023", "Field@2026Ln!", pin="592046"),
    DemoAccount("chenjing", "陈静", AccountRole.TOWNSHIP, "LX-2026-004", "Longxi#Office26", unit=DEMO_UNIT),
    DemoAccount("wangfang", "王芳", AccountRole.REVIEWER, "HC-2026-002", "Review!Case2026",
                posts=(Post.ACCEPTANCE, Post.VERIFICATION)),
    DemoAccount("zhoumin", "周敏", AccountRole.REVIEWER, "HC-2026-003", "Second#Check26",
                posts=(Post.ACCEPTANCE, Post.REPORT)),
    DemoAccount("admin", "刘强", AccountRole.ADMIN, "HC-2026-001", "Keep$Records2026", posts=(Post.CONFIDENTIAL,)),
)
ADMIN = DEMO_ACCOUNTS[-1]
ORGANISATIONS = (NewOrganisation(id=DEMO_AGENCY, name="渝北区救助家庭经济状况核查认定中心", kind=OrgKind.AGENCY),
                 NewOrganisation(id=DEMO_TOWNSHIP, name=DEMO_UNIT, kind=OrgKind.TOWNSHIP))
PEOPLE = (("王建国", "户主", date(1968, 3, 15), 31, False), ("刘秀英", "配偶", date(1970, 7, 22), 42, True),
          ("王小明", "子女", date(2008, 9, 10), 17, False))


def scan_png(label: str, seal: bool = True) -> bytes:
    """A stand-in scan: ruled lines and, for sealed papers, a red round seal (distinct per label)."""
    image = Image.new("RGB", (620, 820), "white")
    draw = ImageDraw.Draw(image)
    seed = hashlib.sha256(label.encode()).digest()
    for i in range(18):
        draw.line([(60, 90 + i * 36), (560 - seed[i] % 160, 90 + i * 36)], fill=(40, 40, 40), width=3)
    if seal:
        draw.ellipse([400, 620, 560, 780], outline=(200, 20, 20), width=8)
        draw.regular_polygon((480, 700, 24), 5, fill=(200, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _store(blobs: BlobStore, label: str, seal: bool = True) -> StoredUpload:
    return anyio.run(store_upload, blobs, scan_png(label, seal))


def _people(session: Session, blobs: BlobStore, accepted_on: date, now: datetime) -> int:
    added = 0
    admin = session.get(Account, ADMIN.username)
    if admin is None:  # the bootstrap: the only account not made by an administrator
        session.add(Organisation(id=DEMO_AGENCY, name=ORGANISATIONS[0].name, kind=OrgKind.AGENCY.value))
        session.flush()
        admin = create_account(session, username=ADMIN.username, name=ADMIN.name, role=ADMIN.role,
                               password=ADMIN.password, work_id=ADMIN.work_id, org_id=DEMO_AGENCY,
                               posts=[p.value for p in ADMIN.posts], now=now)
        session.flush()
        added += 2
    for org in ORGANISATIONS:
        if session.get(Organisation, org.id) is None:
            staff.add_organisation(session, admin, org)
            added += 1
    if session.get(Team, DEMO_TEAM_ID) is None:
        staff.add_team(session, admin, NewTeam(id=DEMO_TEAM_ID, name=DEMO_TEAM_NAME))
        added += 1
    session.flush()
    valid_from = accepted_on - timedelta(days=60)
    for demo in DEMO_ACCOUNTS[:-1]:
        if session.get(Account, demo.username) is not None:
            continue
        org_id = DEMO_TOWNSHIP if demo.role == AccountRole.TOWNSHIP else DEMO_AGENCY
        team = DEMO_TEAM_ID if demo.role == AccountRole.SURVEYOR else None
        staff.add_account(session, admin, NewAccount(
            username=demo.username, name=demo.name, work_id=demo.work_id, role=demo.role, org_id=org_id,
            posts=list(demo.posts), team_id=team, password=demo.password, pin=demo.pin), now)
        session.flush()
        for kind in CredentialKind:  # R5, R34: signed this year
            staff.record_credential(session, admin, demo.username, kind, valid_from,
                                    valid_from + timedelta(days=365), _store(blobs, f"{kind.value}:{demo.username}"),
                                    now)
        added += 1
    return added


def _case(session: Session, blobs: BlobStore, case_id: str, body: NewCase, now: datetime,
          authorized: set[int], at: tuple[float, float]) -> None:
    """One case through intake: the clerk enters it, uploads the scans and submits; two reviewers check."""
    clerk = session.get(Account, "chenjing")
    assert clerk is not None
    case = intake.create_case(session, clerk, body, now, case_id=case_id)
    case.lat, case.lon = at
    stored = _store(blobs, f"entrustment:{case_id}")
    intake.add_document(session, clerk, case, stored, intake.DocumentInfo(DocumentKind.ENTRUSTMENT), now)
    for subject in body.subjects:
        subject_id = f"{case_id}-s{subject.position}"
        proof = _store(blobs, f"id:{subject.id_number}", seal=True)
        intake.add_document(session, clerk, case, proof, intake.DocumentInfo(DocumentKind.ID_PROOF, subject_id), now)
        if subject.position in authorized:
            consent = _store(blobs, f"authorization:{subject.id_number}", seal=False)
            intake.add_document(session, clerk, case, consent, intake.DocumentInfo(
                DocumentKind.AUTHORIZATION, subject_id, form=AuthorizationForm.PAPER), now)
    if intake.missing_materials(session, case):
        return  # stays with the unit: the tablet shows why field work may not start (R1)
    conformity.submit(session, clerk, case)
    for reviewer in ("wangfang", "zhoumin"):  # §5.2.5: twice, by two different people
        checker = session.get(Account, reviewer)
        assert checker is not None
        conformity.check(session, checker, case, ConformityDecision(passed=True), now)
        session.flush()


def demo_cases(accepted_on: date) -> list[tuple[str, NewCase, set[int], tuple[float, float]]]:
    """The authorized demo case, and a case whose family authorization is not yet recorded (R1)."""
    family = [NewSubject(position=i, name=name, relation=relation, household_address="重庆市渝北区龙溪街道松石北路 188 号",
                         id_number=make_id_number(YUBEI, born, seq, female))
              for i, (name, relation, born, seq, female) in enumerate(PEOPLE, start=1)]
    common = {"entrusting_unit": DEMO_UNIT, "contact": "陈静", "phone": "023-67801234", "entrusted_on": accepted_on,
              "accepted_on": accepted_on, "methods": [Method.HOME_VISIT], "team_id": DEMO_TEAM_ID}
    ready = NewCase(title="王建国家庭经济状况核查（最低生活保障）", address="重庆市渝北区龙溪街道松石北路 188 号 3 栋 2 单元 5-2",
                    subjects=family, **common)  # type: ignore[arg-type]
    alone = [NewSubject(position=1, name="赵桂兰", relation="户主", household_address="重庆市渝北区龙溪街道红锦大道 56 号",
                        id_number=make_id_number(YUBEI, date(1948, 11, 2), 26, True))]
    waiting = NewCase(title="赵桂兰家庭经济状况核查（特困人员供养）", address="重庆市渝北区龙溪街道红锦大道 56 号 1 栋 1 单元 2-1",
                      subjects=alone, **common)  # type: ignore[arg-type]
    return [(DEMO_CASE_ID, ready, {1, 2, 3}, (29.5893, 106.5318)),
            (UNAUTHORIZED_CASE_ID, waiting, set(), (29.5951, 106.5276))]


def seed_demo(session: Session, accepted_on: date, blobs: BlobStore) -> int:
    """Add the demo organisations, staff, team and cases that are missing; return how many were added.

    Does not commit: the caller does, once."""
    now = datetime.combine(accepted_on, time(1, 0), UTC)
    added = _people(session, blobs, accepted_on, now)
    for case_id, body, authorized, at in demo_cases(accepted_on):
        if session.get(Case, case_id) is None:
            _case(session, blobs, case_id, body, now, authorized, at)
            added += 1
    return added
