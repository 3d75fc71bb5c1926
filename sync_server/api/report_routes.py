"""The report (appendix D), data-matching import and retention over the API (reviewers and admins)."""
from __future__ import annotations

import hashlib

from fastapi import APIRouter
from fastapi.responses import Response

from schemas.archive import Disposal, MatchingLine, ReportInfo, ReportIssue, RetentionInfo, RetentionSet
from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.documents import disposal, matching, reports, retention
from sync_server.dossier.service import require_reviewer
from sync_server.tables import ReportVersion, queries
from sync_server.tables.accounts import Account
from sync_server.tables.cases import Case
from sync_server.transparency import audit

router = APIRouter(prefix="/cases/{case_id}", tags=["report"])
PDF = "application/pdf"


def _case(session: DbSession, account: Account, case_id: str) -> Case:
    require_reviewer(account)
    return queries.visible_case(session, account, case_id)


def report_info(row: ReportVersion) -> ReportInfo:
    """The wire view of an issued report."""
    return ReportInfo(case_id=row.case_id, version=row.version, number=row.number, issued_at=row.issued_at,
                      issued_by=row.issued_by, content_sha256=hashlib.sha256(row.content).hexdigest(),
                      key_id=row.key_id)


@router.post("/report/preview", response_class=Response, responses={200: {"content": {PDF: {}}}})
def preview_report(case_id: str, body: ReportIssue, session: DbSession, account: CurrentAccount,
                   services: ServicesDep) -> Response:
    """The report as it would be issued now with this summary, marked as a preview; nothing is stored."""
    case = _case(session, account, case_id)
    return Response(reports.preview(session, case, services.clock(), body.summary), media_type=PDF)


@router.post("/reports", response_model=ReportInfo)
def issue_report(case_id: str, body: ReportIssue, session: Transaction, account: CurrentAccount,
                 services: ServicesDep) -> ReportInfo:
    """Issue the report: a new frozen version with the agency's electronic seal (logged)."""
    case = _case(session, account, case_id)
    retention.refuse_if_disposed(session, case)
    row = reports.issue(session, case, services, account, body.summary)
    return report_info(row)


@router.get("/reports", response_model=list[ReportInfo])
def list_reports(case_id: str, session: DbSession, account: CurrentAccount) -> list[ReportInfo]:
    """Every issued version, oldest first."""
    case = _case(session, account, case_id)
    return [report_info(r) for r in queries.issued_reports(session, case.id)]


@router.get("/reports/{report_version}.pdf", response_class=Response, responses={200: {"content": {PDF: {}}}})
def report_pdf(case_id: str, report_version: int, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> Response:
    """One issued version's PDF, exactly as issued (the download is logged)."""
    case = _case(session, account, case_id)
    row = session.get(ReportVersion, (case.id, report_version))
    if row is None:
        raise ProblemError(Code.NOT_FOUND, f"报告第 {report_version} 版")
    audit.log(session, "report.downloaded", services.clock(), account.username, case.id,
              subject=f"{case.id}/report/{report_version}")
    return Response(row.pdf, media_type=PDF)


@router.post("/matching-results", response_model=int)
def import_matching(case_id: str, lines: list[MatchingLine], session: Transaction, account: CurrentAccount,
                    services: ServicesDep) -> int:
    """Import data-matching results (信息核查) as structured lines for sections 一–五; returns the count."""
    case = _case(session, account, case_id)
    return matching.import_lines(session, case, account, lines, services.clock())


@router.put("/retention", response_model=RetentionInfo)
def put_retention(case_id: str, body: RetentionSet, session: Transaction, account: CurrentAccount,
                  services: ServicesDep) -> RetentionInfo:
    """Set how long the archive is kept (R35); the disposal date follows from the acceptance date."""
    case = _case(session, account, case_id)
    row = retention.set_retention(session, case, body.retention_years, account, services.clock())
    return retention.info(row)


@router.get("/retention", response_model=RetentionInfo)
def get_retention(case_id: str, session: DbSession, account: CurrentAccount) -> RetentionInfo:
    """The case's retention period and disposal date (default 10 years until set)."""
    return retention.info(retention.retention_of(session, _case(session, account, case_id)))


@router.post("/disposal", response_model=RetentionInfo)
def dispose_case(case_id: str, body: Disposal, session: Transaction, account: CurrentAccount,
                 services: ServicesDep) -> RetentionInfo:
    """Destroy the whole archive once due (`retention.not_due` before) and on an appraisal a second person
    approved (`disposal.not_approved`); logged with the reason, a certificate remains."""
    case = _case(session, account, case_id)
    now = services.clock()
    row, certificate = disposal.dispose(session, case, blobs=services.blobs, by=account, note=body.note,
                                        exports=services.settings.data_dir / "exports", now=now,
                                        today=beijing_date(now), display=services.display)
    return retention.info(row, sum(f["was_stored"] for f in certificate["destroyed_files"]))
