"""Every document of a case, as (path in the dossier, bytes): a PDF per record and the issued reports."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.records import SurveyRecord
from sync_server import queries
from sync_server.auth import public, team_members
from sync_server.case_views import merged_record
from sync_server.display import Variant
from sync_server.display.context import record_facts
from sync_server.documents.record_pdf import CaseFacts, LogLine, render_record
from sync_server.previews import preview_jpeg
from sync_server.record_standing import case_standings
from sync_server.services import Services
from sync_server.tables import AuditEntry, Case, Team


def case_facts(session: Session, case: Case) -> CaseFacts:
    """The case and team lines of a record's PDF (the team's organisation when it has one)."""
    team = session.get(Team, case.team_id)
    team_name = getattr(team, "organisation", "") or (team.name if team else case.team_id)
    return CaseFacts(case.id, case.title, case.entrusting_unit, case.address, team_name)


def record_log(session: Session, record_id: str) -> list[LogLine]:
    """The log entries about a record, oldest first."""
    from sync_server.console.views import local_time

    rows = session.exec(select(AuditEntry).where(AuditEntry.subject == record_id).order_by(col(AuditEntry.position)))
    return [LogLine(r.position, local_time(r.at), r.kind, r.actor) for r in rows]


def record_pdfs(session: Session, case: Case, services: Services) -> list[tuple[str, bytes]]:
    """One survey-record PDF per merged record; its photos are the watermarked display copies (made once,
    derived, outside the seal: the originals are what the dossier's evidence/ holds), signatures as drawn."""
    facts = case_facts(session, case)
    people = {a.username: public(a) for a in team_members(session, case.team_id)}
    out = []
    rows = queries.case_records(session, case.id)
    found = case_standings(session, case.id, rows)
    for row in rows:
        merged = merged_record(session, row)
        names = set(merged.sealed.record.surveyors) - set(people)
        people |= {u: public(a) for u, a in queries.accounts_by_username(session, names).items()}
        image_of = record_images(session, merged.sealed.record, services)
        out.append((f"pdf/record-{row.id}.pdf",
                    render_record(merged, facts, people, image_of, record_log(session, row.id),
                                  found[row.id].label if row.id in found else "")))
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
    import json

    from sync_server.documents.reports import issued_reports

    del now  # the export itself is logged by the dossier
    out = record_pdfs(session, case, services)
    for r in issued_reports(session, case.id):
        seal = {"version": r.version, "number": r.number, "key_id": r.key_id, "signature": r.signature,
                "context": "field-evidence/report/v1"}
        out += [(f"pdf/report-v{r.version}.pdf", r.pdf), (f"reports/v{r.version}/content.json", r.content),
                (f"reports/v{r.version}/seal.json", json.dumps(seal, indent=2).encode())]
    return out
