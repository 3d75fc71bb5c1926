"""Every document of a case, as (path in the dossier, bytes): a PDF per record and the issued reports."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.findings import FindingView
from schemas.records import SurveyRecord
from sync_server.accounts.auth import public, team_members
from sync_server.casework.case_wire import merged_record
from sync_server.casework.findings import views_of
from sync_server.casework.presentation import local_time
from sync_server.casework.record_standing import case_standings
from sync_server.display import Variant
from sync_server.display.context import record_facts
from sync_server.documents.record_pdf import CaseFacts, LogLine, render_record
from sync_server.evidence.previews import preview_jpeg
from sync_server.forms.published import registry_for
from sync_server.services import Services
from sync_server.tables import AuditEntry, Case, Team, queries


def case_facts(session: Session, case: Case) -> CaseFacts:
    """The case and team lines of a record's PDF (the team's organisation when it has one)."""
    team = session.get(Team, case.team_id)
    team_name = getattr(team, "organisation", "") or (team.name if team else case.team_id)
    return CaseFacts(case.id, case.title, case.entrusting_unit, case.address, team_name)


def record_log(session: Session, record_id: str) -> list[LogLine]:
    """The log entries about a record, oldest first."""
    rows = session.exec(select(AuditEntry).where(AuditEntry.subject == record_id).order_by(col(AuditEntry.position)))
    return [LogLine(r.position, local_time(r.at), r.kind, r.actor) for r in rows]


def record_pdfs(session: Session, case: Case, services: Services, only: str | None = None) -> list[tuple[str, bytes]]:
    """One survey-record PDF per merged record (`only`: that record's alone); its photos are the watermarked
    display copies (made once, derived, outside the seal: the originals are what the dossier's evidence/
    holds), signatures as drawn; then the evidence findings with their acknowledgements (issue 16)."""
    facts = case_facts(session, case)
    people = {a.username: public(a) for a in team_members(session, case.team_id)}
    out = []
    rows = queries.case_records(session, case.id)
    standing = case_standings(session, case.id, rows)
    found: dict[str, list[FindingView]] = {}
    for view in views_of(session, case):
        found.setdefault(view.record_id, []).append(view)
    forms = registry_for(session, *((r.form_id, r.form_version) for r in rows))
    for row in rows:
        if only is not None and row.id != only:
            continue
        merged = merged_record(session, row)
        names = set(merged.sealed.record.surveyors) - set(people)
        people |= {u: public(a) for u, a in queries.accounts_by_username(session, names).items()}
        image_of = record_images(session, merged.sealed.record, services)
        out.append((f"pdf/record-{row.id}.pdf",
                    render_record(merged, facts, people, image_of, record_log(session, row.id), found.get(row.id, []),
                                  standing[row.id].label if row.id in standing else "",
                                  forms)))
    return out


def record_images(session: Session, record: SurveyRecord, services: Services) -> Callable[[str, int], bytes | None]:
    """The pictures of one record's PDF: a photo's display copy for this record, else a plain preview."""
    stamps = record_facts(session, record)

    def image_of(sha256: str, side: int) -> bytes | None:
        if not services.blobs.has(sha256):
            return None
        if sha256 in stamps:
            return services.display.get(sha256, record.id, Variant.DISPLAY, lambda: stamps[sha256]).read_bytes()
        return preview_jpeg(services.blobs.local_path(sha256), side)

    return image_of


def case_documents(session: Session, case: Case, services: Services, now: datetime) -> list[tuple[str, bytes]]:
    """The record PDFs and every issued report version of the case."""
    del now  # the export itself is logged by the dossier
    out = record_pdfs(session, case, services)
    for r in queries.issued_reports(session, case.id):
        seal = {"version": r.version, "number": r.number, "key_id": r.key_id, "signature": r.signature,
                "context": "field-evidence/report/v1"}
        out += [(f"pdf/report-v{r.version}.pdf", r.pdf), (f"reports/v{r.version}/content.json", r.content),
                (f"reports/v{r.version}/seal.json", json.dumps(seal, indent=2).encode())]
    return out
