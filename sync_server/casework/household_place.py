"""Where the household is (issue 16): the place every distance check is measured from.

Intake may type the coordinates (schemas.office.NewCase lat/lon). Until they are known the distance
check is not possible (the finding `no_household_place`, shown in amber, never as passed). A reviewer
may then type them, or confirm the first visit's start fix as the household's place; either way the
change is logged in the audit log and the case's records are judged again (sync_server.casework.findings).
Nothing here commits."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.records import SealedRecord
from schemas.staffing import Post
from schemas.workdays import HolidayTable
from sync_server.accounts.posts import require_post
from sync_server.casework import findings
from sync_server.tables import Account, Case, Record
from sync_server.transparency import audit


@dataclass(frozen=True)
class FirstFix:
    """The first visit's start fix, offered to the reviewer as the household's place."""

    record_id: str
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime


def first_fix(session: Session, case_id: str) -> FirstFix | None:
    """The start fix of the earliest-started record of the case that has one."""
    rows = session.exec(select(Record).where(Record.case_id == case_id).order_by(col(Record.received_at)))
    fixes = []
    for row in rows:
        record = SealedRecord.model_validate_json(row.sealed_json).record
        fix = record.start_fix
        if fix is not None and fix.location is not None and not fix.location.mock:
            fixes.append(FirstFix(record.id, fix.location.lat, fix.location.lon, fix.location.accuracy_m,
                                  record.started_at))
    return min(fixes, key=lambda f: f.at, default=None)


def set_place(session: Session, case: Case, reviewer: Account, lat: float, lon: float, source: str,
              table: HolidayTable, now: datetime) -> None:
    """Record the household's place (typed, or the first fix confirmed) and judge the records again."""
    if reviewer.role != AccountRole.REVIEWER.value:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员可以登记或确认家庭位置")
    require_post(reviewer, Post.VERIFICATION)  # the place judges the evidence: 核证岗 (§4.3.1)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180) \
            or (lat == 0 and lon == 0):
        raise ProblemError(Code.VALIDATION, "家庭位置的经纬度不正确（纬度 -90～90，经度 -180～180）")
    before = (case.lat, case.lon)
    case.lat, case.lon = lat, lon
    session.add(case)
    session.flush()
    audit.log(session, "case.place_set", now, reviewer.username, case.id, case.id, lat=lat, lon=lon, source=source,
              before=list(before))
    findings.rejudge_case(session, case, table, now)


def place_from_first_fix(session: Session, case: Case, reviewer: Account, table: HolidayTable,
                         now: datetime) -> FirstFix:
    """Confirm the first visit's start fix as the household's place."""
    fix = first_fix(session, case.id)
    if fix is None:
        raise ProblemError(Code.VALIDATION, "本案调查记录中没有可用的开始调查定位")
    set_place(session, case, reviewer, fix.lat, fix.lon, f"first_fix:{fix.record_id}", table, now)
    return fix
