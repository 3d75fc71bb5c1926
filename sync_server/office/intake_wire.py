"""The wire view of a case's intake: entrustment, subjects with their scans, checks, what is missing."""
from __future__ import annotations

from sqlmodel import Session

from schemas.methods import Method
from schemas.office import (
    DOCUMENT_NAMES,
    AuthorizationForm,
    ConformityCheckView,
    DocumentKind,
    DocumentView,
    IntakeStatus,
    IntakeView,
    SubjectView,
)
from schemas.workdays import HolidayTable
from sync_server.casework.deadlines import case_deadline
from sync_server.office.conformity import checks_of
from sync_server.office.intake import documents_of, entrustment_of, is_adult, missing_materials, sex_of
from sync_server.tables import Case, CaseDocument, queries


def document_view(d: CaseDocument) -> DocumentView:
    """One scan as the API shows it."""
    return DocumentView(id=d.id, kind=DocumentKind(d.kind), subject_id=d.subject_id, sha256=d.sha256,
                        media_type=d.media_type, size=d.size, uploaded_by=d.uploaded_by, uploaded_at=d.uploaded_at,
                        form=AuthorizationForm(d.form) if d.form else None, guardian_name=d.guardian_name,
                        guardian_relation=d.guardian_relation, note=d.note)


def intake_view(session: Session, case: Case, table: HolidayTable) -> IntakeView:
    """Everything about the case's entrustment materials and their review."""
    entrustment = entrustment_of(session, case)
    documents = documents_of(session, case.id)
    have = {(d.kind, d.subject_id) for d in documents}
    subjects = [SubjectView(id=s.id, position=s.position, name=s.name, id_number=s.id_number,
                            sex=sex_of(s.id_number), adult=is_adult(s.id_number, entrustment.entrusted_on),
                            relation=s.relation, household_address=s.household_address, note=s.note,
                            authorized=(DocumentKind.AUTHORIZATION.value, s.id) in have,
                            id_proof=(DocumentKind.ID_PROOF.value, s.id) in have)
                for s in queries.case_subjects(session, case.id)]
    checks = [ConformityCheckView(round=c.round, checker=c.checker, checked_at=c.checked_at, passed=c.passed,
                                  reasons=c.reasons) for c in checks_of(session, case.id)]
    return IntakeView(case_id=case.id, title=case.title, entrusting_unit=case.entrusting_unit,
                      contact=entrustment.contact, phone=entrustment.phone, entrusted_on=entrustment.entrusted_on,
                      accepted_on=case.accepted_on, deadline=case_deadline(case, table).due,
                      methods=[Method(m) for m in case.required_checks if m in Method._value2member_map_],
                      team_id=case.team_id, status=IntakeStatus(entrustment.status), round=entrustment.round,
                      released_at=entrustment.released_at, returned_reasons=entrustment.returned_reasons,
                      subjects=subjects, documents=[document_view(d) for d in documents], checks=checks,
                      missing=missing_materials(session, case))


def case_documents(session: Session, case: Case) -> list[dict[str, str]]:
    """The case's scans and township uploads as the case page lists them, for the reviewer (R25)."""
    return [{"id": d.id, "label": DOCUMENT_NAMES[DocumentKind(d.kind)], "media_type": d.media_type,
             "by": d.uploaded_by, "note": d.note, "at": d.uploaded_at.strftime("%Y-%m-%d %H:%M")}
            for d in documents_of(session, case.id)]
