"""The case-level actions the console lacked (issue 18): giving a case to another survey team (agency
staff and administrators), setting how long its archive is kept (机要岗, R35), and importing the
data-matching results the report's sections 一–五 state (信息交换岗, R42). The API's service functions do
the work (office/intake.py, documents/retention.py, documents/matching.py), posts and log included.

Matching lines are typed or pasted as CSV, one per line: 栏目(1–5),部门,项目,结果摘要[,起始期间,截止期间];
a file (UTF-8 CSV) may be sent instead. Any bad line refuses the whole import and names the line."""
from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from schemas.archive import MatchingLine
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.admin_forms import Outcome, run, validation_text
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.documents_pages import reviewer_case
from sync_server.console.templating import page
from sync_server.documents import matching, retention
from sync_server.documents.appendix_d import SECTIONS
from sync_server.office import intake
from sync_server.tables import Account, Case, MatchingResult, Team

router = APIRouter(prefix="/console/cases/{case_id}", include_in_schema=False)
MAX_CSV_BYTES = 1 << 20
COLUMNS = "栏目,部门,项目,结果摘要[,起始期间,截止期间]"
FIELDS = ("section", "department", "item", "summary", "period_from", "period_to")


def _team_page(actor: Account, session: Session, case: Case, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    teams = list(session.exec(select(Team).order_by(col(Team.id))))
    surveyors = session.exec(select(Account).where(Account.role == AccountRole.SURVEYOR.value,
                                                   col(Account.active).is_(True)).order_by(col(Account.work_id)))
    members: dict[str, list[str]] = {t.id: [] for t in teams}
    for account in surveyors:
        if account.team_id in members:
            members[account.team_id].append(account.name)
    return page("case_team.html", status=outcome.status, staff=public(actor), case=case, teams=teams,
                members=members, outcome=outcome)


@router.get("/team")
def team_page(case_id: str, staff: RequireStaff, session: DbSession) -> Response:
    case = reviewer_case(case_id, staff, session)
    return case if isinstance(case, Response) else _team_page(staff, session, case)


@router.post("/team")
def assign_team(case_id: str, form: Form, staff: RequireStaff, session: DbSession) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case

    def act() -> str:
        team_id = form.get("team_id", "")
        intake.assign_team(session, staff, case, team_id)
        return f"案件已交由调查小组 {team_id} 办理"
    return _team_page(staff, session, case, run(session, act, form))


@router.post("/retention")
def set_retention(case_id: str, form: Form, staff: RequireStaff, session: DbSession,
                  services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    years = form.get("retention_years", "").strip()
    try:
        if not years.isdigit() or not 1 <= int(years) <= 100:
            raise ProblemError(Code.VALIDATION, "保管期限须为 1 至 100 年")
        retention.set_retention(session, case, int(years), staff, services.clock())
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return page("error.html", status=problem.problem().status, staff=public(staff),
                    message=chinese_message(problem.code.value, problem.detail))
    return RedirectResponse(f"/console/cases/{case.id}/disposal", status_code=303)


def read_lines(text: str) -> list[MatchingLine]:
    """CSV rows to matching lines; a bad row refuses all and is named by its number."""
    lines = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 4 or len(row) > len(FIELDS):
            raise ProblemError(Code.VALIDATION, f"第 {number} 行应有 4 至 6 列：{COLUMNS}")
        try:
            lines.append(MatchingLine.model_validate(dict(zip(FIELDS, (c.strip() for c in row), strict=False))))
        except ValidationError as error:
            raise ProblemError(Code.VALIDATION, f"第 {number} 行：{validation_text(error)}") from None
    if not lines:
        raise ProblemError(Code.VALIDATION, "没有可导入的行")
    return lines


def _matching_page(actor: Account, session: Session, case: Case, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    rows = session.exec(select(MatchingResult).where(MatchingResult.case_id == case.id)
                        .order_by(col(MatchingResult.section), col(MatchingResult.id)))
    return page("case_matching.html", status=outcome.status, staff=public(actor), case=case, rows=list(rows),
                sections=[name for name, _ in SECTIONS], outcome=outcome)


@router.get("/matching")
def matching_page(case_id: str, staff: RequireStaff, session: DbSession) -> Response:
    case = reviewer_case(case_id, staff, session)
    return case if isinstance(case, Response) else _matching_page(staff, session, case)


@router.post("/matching")
async def import_matching(case_id: str, request: Request, staff: RequireStaff, session: DbSession,
                          services: ServicesDep) -> Response:
    case = reviewer_case(case_id, staff, session)
    if isinstance(case, Response):
        return case
    async with request.form() as form:
        text = str(form.get("lines") or "")
        upload = form.get("file")
        data = await upload.read(MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""

    def act() -> str:
        if len(data) > MAX_CSV_BYTES:
            raise ProblemError(Code.VALIDATION, "文件过大（上限 1 MiB）")
        try:
            source = data.decode("utf-8-sig") if data else text
        except UnicodeDecodeError:
            raise ProblemError(Code.VALIDATION, "文件须为 UTF-8 编码的 CSV") from None
        count = matching.import_lines(session, case, staff, read_lines(source), services.clock())
        return f"已导入信息核查结果 {count} 条"
    return _matching_page(staff, session, case, run(session, act, {"lines": text}))
