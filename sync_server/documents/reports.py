"""The report's life: preview with the reviewer's summary, issue (a new frozen version, never an overwrite)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import rfc8785
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.methods import Method
from schemas.office import IntakeStatus
from schemas.records import SealedRecord, SurveyRecord
from sync_server.casework import review
from sync_server.casework.record_standing import counted_ids
from sync_server.documents import result_push
from sync_server.documents.appendix_d import Matching, Person, cn_date, compose, default_summary
from sync_server.documents.declared import declared_rows
from sync_server.documents.issuing import refuse_unless_issuable
from sync_server.documents.report_pdf import ElectronicSeal, render_report
from sync_server.services import Services
from sync_server.tables import (
    Account,
    Case,
    Entrustment,
    MatchingResult,
    Organisation,
    ReportVersion,
    queries,
)
from sync_server.transparency import audit
from sync_server.transparency.agency_key import load_agency_key

REPORT_CONTEXT = b"field-evidence/report/v1\n"
AGENCY = "渝北区社会救助家庭经济状况核查认定中心"
COPIES = 2


@dataclass(frozen=True)
class Draft:
    content: dict
    pdf: bytes


def _matching(session: Session, case: Case) -> tuple[list[Matching] | None, list[MatchingResult]]:
    rows = list(session.exec(select(MatchingResult).where(MatchingResult.case_id == case.id)
                             .order_by(col(MatchingResult.section), col(MatchingResult.id))))
    entrusted = Method.INFORMATION_CHECK.value in case.required_checks or bool(rows)
    return ([Matching(r.section, r.department, r.item, r.summary) for r in rows] if entrusted else None), rows


def _period(rows: list[MatchingResult], records: list[SurveyRecord]) -> str:
    periods = [(r.period_from, r.period_to) for r in rows if r.period_from and r.period_to]
    if periods:
        return f"{min(p[0] for p in periods)}至{max(p[1] for p in periods)}"
    if not records:
        return "无"
    days = sorted(beijing_date(r.started_at) for r in records)
    return f"{cn_date(days[0])}至{cn_date(days[-1])}"


def next_version(session: Session, case_id: str) -> int:
    """The version the next issue gets."""
    query = select(ReportVersion.version).where(ReportVersion.case_id == case_id)
    return max(session.exec(query).all(), default=0) + 1


def counted_records(session: Session, case: Case) -> list[SurveyRecord]:
    """The records the report counts and prints: returned and superseded ones left out (R42)."""
    rows = queries.case_records(session, case.id)
    counted = counted_ids(rows, review.case_facts(session, case).entries)
    return [SealedRecord.model_validate_json(r.sealed_json).record for r in rows if r.id in counted]


def organisation_name(session: Session, org_id: str | None) -> str:
    """An organisation's name ("" when unknown)."""
    org = session.get(Organisation, org_id) if org_id else None
    return org.name if org is not None else ""


def field_source(session: Session, accounts: list[Account], agency: str) -> str:
    """数据来源单位 of 六: the organisations the surveyors work for (R27), else the agency."""
    names = dict.fromkeys(organisation_name(session, a.org_id) for a in accounts)
    return "、".join(n for n in names if n) or agency


def draft(session: Session, case: Case, now: datetime, summary: str | None = None,
          version: int | None = None) -> dict:
    """The report's content as it would be issued now (summary: the reviewer's text, or the default)."""
    subjects = queries.case_subjects(session, case.id)
    records = counted_records(session, case)
    surveyors = queries.accounts_by_username(session, {u for r in records for u in r.surveyors})
    names = {a.username: a.name for a in surveyors.values()}
    matching, rows = _matching(session, case)
    number = f"{case.id}-{version or next_version(session, case.id):02d}"
    entrustment = session.get(Entrustment, case.id)
    agency = organisation_name(session, case.agency_id) or AGENCY
    content = compose(
        number=number, addressee=getattr(case, "addressee", "") or case.entrusting_unit,
        entrusting_unit=case.entrusting_unit, entrusted_on=entrustment.entrusted_on if entrustment else None,
        accepted_on=case.accepted_on if entrustment is None or entrustment.status != IntakeStatus.DRAFT.value
        else None, agency=agency, persons=[Person(s.name, s.id_number, s.relation) for s in subjects],
        matching=matching, records=records, names=names, address=case.address,
        team_organisation=field_source(session, list(surveyors.values()), agency),
        summary="", copies=COPIES, issued_on=beijing_date(now), data_period=_period(rows, records))
    content["summary"] = summary.strip() if summary and summary.strip() else default_summary(content["counts"],
                                                                                               matching)
    declared = declared_rows(session, case)  # R32: the declaration beside what was verified (exchange cases)
    if declared:
        content["declared"] = declared
    return content


def preview(session: Session, case: Case, now: datetime, summary: str | None = None) -> bytes:
    """The report PDF marked as a preview (nothing stored, nothing signed)."""
    return render_report(draft(session, case, now, summary), None)


def issue(session: Session, case: Case, services: Services, by: Account, summary: str | None) -> ReportVersion:
    """Freeze the report as version n+1 with the agency's electronic seal; logged (caller commits). Refused
    unless the report may be issued now by `by` (documents/issuing.py)."""
    refuse_unless_issuable(session, case, by)
    return freeze(session, case, services, by.username, summary)


def freeze(session: Session, case: Case, services: Services, actor: str, summary: str | None) -> ReportVersion:
    """Seal and keep version n+1 as it reads now, unchecked: `issue` is the only caller that issues."""
    now, key = services.clock(), load_agency_key(services.settings)
    version = next_version(session, case.id)
    content = draft(session, case, now, summary, version)
    body = rfc8785.dumps(content)
    seal = ElectronicSeal(key.key_id, hashlib.sha256(body).hexdigest(), key.sign(REPORT_CONTEXT + body))
    row = ReportVersion(case_id=case.id, version=version, number=content["number"], issued_at=now, issued_by=actor,
                        summary=content["summary"], content=body, signature=seal.signature, key_id=key.key_id,
                        pdf=render_report(content, seal, version))
    session.add(row)
    audit.log(session, "report.issued", now, actor, case.id, subject=f"{case.id}/report/{version}",
              number=row.number, content_sha256=seal.content_sha256, pdf_sha256=hashlib.sha256(row.pdf).hexdigest())
    session.flush()
    result_push.enqueue_report(session, case, row, content, now)  # issue 20: back to the unit's system
    return row
