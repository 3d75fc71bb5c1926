"""A year of office work written straight into the tables (issue 20): cases accepted every day of a year
across two teams, two agencies and the four units, their records (bulk.record_rows), reports issued on
time, late or not yet, returns with reasons, re-verification rounds, evidence findings and cannot-sign
proofs, all varied by the case number so a test can recount every figure on its own from `Seeded`.

Used by the dashboard and export tests and by bench/dashboard_exports.py (100k cases on PostgreSQL)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from schemas.beijing import BEIJING
from schemas.records import Role
from schemas.workdays import verification_deadline
from sync_server.casework import summaries
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID
from sync_server.tables import (
    Case,
    CaseSummary,
    EvidenceFile,
    Organisation,
    RecordEvidence,
    RecordFindings,
    ReportVersion,
    ReVerificationRound,
    ReviewEntry,
    Subject,
    Team,
)
from tests.sync_server.bulk import NAMES, UNITS, insert_records, record_rows

FIRST_DAY = date(2025, 11, 1)
OTHER_TEAM, OTHER_AGENCY = "team-yb-09", "yb-other"
REASONS = ("照片不清晰，请补拍", "缺少被调查人签字", "收入情况记录不完整")
FINDINGS = ("no_gps", "no_exif", "trivial_signature")
PROOF_SHA = "c" * 64


@dataclass
class SeededCase:
    id: str
    team_id: str
    agency_id: str
    unit: str
    accepted_on: date
    re_verification: bool
    reported_on: date | None  # Beijing date of the first report
    records: list[str] = field(default_factory=list)
    uploaders: dict[str, str] = field(default_factory=dict)  # record id -> received_from
    sealers: dict[str, set[str]] = field(default_factory=dict)  # record id -> the surveyors whose seals it bears
    refused: set[str] = field(default_factory=set)
    returns: list[tuple[str, str]] = field(default_factory=list)  # (record id, reason)
    rounds: list[tuple[bool, bool]] = field(default_factory=list)  # (closed, fed back)
    findings: dict[str, str] = field(default_factory=dict)  # record id -> code
    cannot_sign: set[str] = field(default_factory=set)


def plan(n: int) -> SeededCase:
    """Case n of the year, every fact chosen from n."""
    accepted = FIRST_DAY + timedelta(days=n % 365)
    team = OTHER_TEAM if n % 3 == 2 else DEMO_TEAM_ID
    agency = OTHER_AGENCY if n % 7 == 6 else DEMO_AGENCY
    late = n % 5
    reported = None if n % 6 == 5 else accepted + timedelta(days=(9 + 12 * (late == 0)))  # 1 in 5 late
    return SeededCase(f"case-dash-{n:06d}", team, agency, UNITS[n % 4], accepted, n % 11 == 3, reported)


def seed_year(session: Session, count: int, kinds: dict[str, tuple[str, bytes, int]],
              first: int = 0, light: bool = False) -> list[SeededCase]:
    """`count` cases of the year with everything above, committed; their plans returned. `light` (the
    bench at 100k cases): one record a case, and the summaries written straight (deadline and counts),
    not computed by summaries.refresh, which reads each case's rows (minutes at that size)."""
    if first == 0:
        _orgs(session)
    planned = [plan(n) for n in range(first, first + count)]
    cases, subjects, records, bodies, reports, reviews, rounds, found, evidence = [], [], [], [], [], [], [], [], []
    for n, case in zip(range(first, first + count), planned, strict=True):
        cases.append({"id": case.id, "title": f"{NAMES[n % 10]}家庭经济状况核查", "entrusting_unit": case.unit,
                      "address": f"重庆市渝北区 {n} 号", "lat": 29.58, "lon": 106.53, "authorization_recorded": True,
                      "entrustment_recorded": True, "accepted_on": case.accepted_on,
                      "re_verification": case.re_verification, "required_checks": ["home_visit"],
                      "team_id": case.team_id, "agency_id": case.agency_id})
        subjects.append({"id": f"{case.id}-s0", "case_id": case.id, "position": 0, "name": NAMES[n % 10],
                         "id_number": make_id_number("500112", date(1970, 1 + n % 12, 1 + n % 28), n % 900 + 1,
                                                     False), "relation": "本人", "household_address": "", "note": ""})
        rows, row_bodies = record_rows(case.id, n, 1 if light else 1 + n % 3, kinds,
                                       first=14 + n % 3)  # r = 16: refused
        for r, row in enumerate(rows):
            row["received_from"] = "lina" if (n + r) % 4 == 0 else "zhangwei"
            case.records.append(row["id"])
            case.uploaders[row["id"]] = row["received_from"]
            case.sealers[row["id"]] = {seal["surveyor"] for seal in json.loads(row["sealed_json"])["seals"]}
            if row["outcome"] == "refused":
                case.refused.add(row["id"])
        records += rows
        bodies += row_bodies
        if case.reported_on is not None:
            at = datetime.combine(case.reported_on, time(10, 0), BEIJING).astimezone(UTC)
            reports.append({"case_id": case.id, "version": 1, "number": f"R-{n}", "issued_at": at,
                            "issued_by": "wangfang", "summary": "", "content": b"{}", "signature": "", "key_id": "",
                            "pdf": b"%PDF"})
        if n % 4 == 1:
            case.returns.append((case.records[0], REASONS[n % 3]))
        if n % 8 == 1:
            case.returns.append((case.records[0], REASONS[0]))
        for target, reason in case.returns:
            reviews.append({"case_id": case.id, "round": 1, "action": "return", "target": target, "reason": reason,
                            "by": "wangfang", "at": datetime(2026, 1, 1, tzinfo=UTC)})
        if case.re_verification:
            closed, fed = n % 2 == 1, n % 4 == 3
            case.rounds.append((closed, fed))
            rounds.append({"case_id": case.id, "number": 2, "objected_by": "family", "objector_name": "户主",
                           "grounds": "对收入认定有异议", "objected_on": case.accepted_on, "methods": ["home_visit"],
                           "opened_on": case.accepted_on, "opened_by": "wangfang",
                           "opened_at": datetime(2026, 1, 2, tzinfo=UTC), "result": "维持" if closed else "",
                           "fed_back_to": case.unit if fed else "", "fed_back_on": case.accepted_on if fed else None,
                           "closed_by": "wangfang" if closed else "",
                           "closed_at": datetime(2026, 1, 3, tzinfo=UTC) if closed else None})
        for r, record_id in enumerate(case.records):
            if (n + r) % 5 == 2:
                case.findings[record_id] = FINDINGS[(n + r) % 3]
                found.append({"record_id": record_id, "case_id": case.id, "facts_json": "{}",
                              "findings_json": json.dumps([{"code": FINDINGS[(n + r) % 3], "target": "",
                                                            "detail": "照片"}], ensure_ascii=False),
                              "judged_at": datetime(2026, 1, 1, tzinfo=UTC)})
            if (n + r) % 9 == 4:
                case.cannot_sign.add(record_id)
                evidence.append({"record_id": record_id, "sha256": PROOF_SHA, "kind": "photo",
                                 "role": Role.CANNOT_SIGN_PROOF.value, "media_type": "image/jpeg"})
    session.execute(insert(Case), cases)
    session.execute(insert(Subject), subjects)
    insert_records(session, records, bodies)
    for table, rows_of in ((ReportVersion, reports), (ReviewEntry, reviews), (ReVerificationRound, rounds),
                           (RecordFindings, found), (RecordEvidence, evidence)):
        if rows_of:
            session.execute(insert(table), rows_of)
    ids = [c.id for c in planned]
    if light:
        _summaries(session, planned)
    for start in range(0, 0 if light else len(ids), 500):
        summaries.refresh(session, ids[start:start + 500])
        session.flush()
    session.commit()
    return planned


def _summaries(session: Session, planned: list[SeededCase]) -> None:
    table, now = summaries.builtin_holidays(), datetime(2026, 11, 17, tzinfo=UTC)
    rows = [{"case_id": c.id, "records": len(c.records), "home_visits": len(c.records) - len(c.refused),
             "neighbour_interviews": 0, "refused": len(c.refused), "last_record_at": None,
             "checklist_status": "incomplete", "missing": 1,
             "review_status": "accepted" if c.reported_on else "returned" if c.returns else "pending",
             "open_returns": len(c.returns), "round": 1 + len(c.rounds), "letters_open": 0,
             "deadline": verification_deadline(c.accepted_on, table, c.re_verification).due, "updated_at": now}
            for c in planned]
    for start in range(0, len(rows), 5000):
        session.execute(insert(CaseSummary), rows[start:start + 5000])


def _orgs(session: Session) -> None:
    if session.get(Team, OTHER_TEAM) is None:
        session.add(Team(id=OTHER_TEAM, name="渝北区第九调查小组"))
    if session.get(Organisation, OTHER_AGENCY) is None:
        session.add(Organisation(id=OTHER_AGENCY, name="江北区核查中心", kind="agency"))
    if session.get(EvidenceFile, PROOF_SHA) is None:
        session.add(EvidenceFile(sha256=PROOF_SHA, size=1, stored_at=datetime(2026, 1, 1, tzinfo=UTC)))
    session.flush()
