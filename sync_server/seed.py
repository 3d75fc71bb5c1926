"""Demo data: one survey team in Yubei, its staff, an authorized case and one still lacking consent.

The passwords and PINs are constants so a run script can print them; they pass the same checks
as real ones (R6). `seed_demo` adds only what is missing, so running it twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from schemas.protocol import AccountRole
from schemas.records import VisitKind
from sync_server.auth import create_account
from sync_server.id_numbers import make_id_number
from sync_server.tables import Account, Case, Subject, Team

DEMO_TEAM_ID = "team-yb-01"
DEMO_TEAM_NAME = "渝北区第一调查小组"
DEMO_UNIT = "渝北区龙溪街道办事处"
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


DEMO_ACCOUNTS = (
    DemoAccount("zhangwei", "张伟", AccountRole.SURVEYOR, "YB-2026-017", "Survey#2026zw", pin="480317"),
    DemoAccount("lina", "李娜", AccountRole.SURVEYOR, "YB-2026-023", "Field@2026Ln!", pin="592046"),
    DemoAccount("chenjing", "陈静", AccountRole.TOWNSHIP, "LX-2026-004", "Longxi#Office26", unit=DEMO_UNIT),
    DemoAccount("wangfang", "王芳", AccountRole.REVIEWER, "HC-2026-002", "Review!Case2026"),
    DemoAccount("admin", "刘强", AccountRole.ADMIN, "HC-2026-001", "Keep$Records2026"),
)


def demo_subjects(case_id: str) -> list[Subject]:
    """The family of the demo case: head of household, spouse, child, with well-formed ID numbers."""
    people = [("王建国", "户主", date(1968, 3, 15), 31, False),
              ("刘秀英", "配偶", date(1970, 7, 22), 42, True),
              ("王小明", "子女", date(2008, 9, 10), 17, False)]
    return [Subject(id=f"{case_id}-s{i}", case_id=case_id, position=i, name=name, relation=relation,
                    id_number=make_id_number(YUBEI, born, seq, female))
            for i, (name, relation, born, seq, female) in enumerate(people, start=1)]


def demo_cases(accepted_on: date) -> list[tuple[Case, list[Subject]]]:
    """The authorized demo case, and a case whose family consent is not yet recorded (R1)."""
    ready = Case(id=DEMO_CASE_ID, title="王建国家庭经济状况核查（最低生活保障）", entrusting_unit=DEMO_UNIT,
                 address="重庆市渝北区龙溪街道松石北路 188 号 3 栋 2 单元 5-2", lat=29.5893, lon=106.5318,
                 authorization_recorded=True, entrustment_recorded=True, accepted_on=accepted_on,
                 required_checks=[VisitKind.HOME_VISIT.value], team_id=DEMO_TEAM_ID)
    waiting = Case(id=UNAUTHORIZED_CASE_ID, title="赵桂兰家庭经济状况核查（特困人员供养）",
                   entrusting_unit=DEMO_UNIT,
                   address="重庆市渝北区龙溪街道红锦大道 56 号 1 栋 1 单元 2-1", lat=29.5951, lon=106.5276,
                   authorization_recorded=False, entrustment_recorded=True, accepted_on=accepted_on,
                   required_checks=[VisitKind.HOME_VISIT.value], team_id=DEMO_TEAM_ID)
    alone = [Subject(id=f"{UNAUTHORIZED_CASE_ID}-s1", case_id=UNAUTHORIZED_CASE_ID, position=1, name="赵桂兰",
                     relation="户主", id_number=make_id_number(YUBEI, date(1948, 11, 2), 26, True))]
    return [(ready, demo_subjects(DEMO_CASE_ID)), (waiting, alone)]


def seed_demo(session: Session, accepted_on: date) -> int:
    """Add the demo team, accounts and cases that are missing; return how many rows were added.

    Does not commit: the caller does, once."""
    added = 0
    if session.get(Team, DEMO_TEAM_ID) is None:
        session.add(Team(id=DEMO_TEAM_ID, name=DEMO_TEAM_NAME))
        session.flush()
        added += 1
    for demo in DEMO_ACCOUNTS:
        if session.get(Account, demo.username) is None:
            team = DEMO_TEAM_ID if demo.role == AccountRole.SURVEYOR else None
            create_account(session, username=demo.username, name=demo.name, role=demo.role,
                           password=demo.password, work_id=demo.work_id, team_id=team, unit=demo.unit,
                           pin=demo.pin)
            added += 1
    for case, subjects in demo_cases(accepted_on):
        if session.get(Case, case.id) is None:
            session.add(case)
            session.flush()
            session.add_all(subjects)
            added += 1 + len(subjects)
    return added
