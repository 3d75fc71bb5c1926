"""Console pages of staff administration (R4–R6, R27, R33, R34): accounts with their organisation,
posts, team and clearance; pledges and training with scans; closing an account with a hand-over
list that both people confirm. Same service functions as the API."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, or_, select
from starlette.datastructures import FormData, UploadFile

from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from schemas.staffing import CREDENTIAL_NAMES, ORG_KIND_NAMES, POST_NAMES, CredentialKind, NewAccount
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import RequireStaff
from sync_server.console.templating import page
from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES, store_upload
from sync_server.office import handover, staff
from sync_server.services import Services
from sync_server.tables import Account, Handover, Organisation, Team

router = APIRouter(prefix="/console", include_in_schema=False)
NAMES = {"posts": POST_NAMES, "kinds": ORG_KIND_NAMES, "credentials": CREDENTIAL_NAMES}


def _accounts_page(staff_account: Account, session: Session, services: Services, error: str = "",
                   notice: str = "", status: int = 200) -> Response:
    today = beijing_date(services.clock())
    rows = session.exec(select(Account).order_by(col(Account.username)))
    accounts = [staff.account_view(session, a, today) for a in rows]
    return page("accounts.html", status=status, staff=public(staff_account), accounts=accounts, names=NAMES,
                orgs=list(session.exec(select(Organisation).order_by(col(Organisation.id)))),
                teams=list(session.exec(select(Team).order_by(col(Team.id)))), error=error, notice=notice,
                today=today.isoformat(), handovers=_pending(session, None))


def _pending(session: Session, username: str | None) -> list[Handover]:
    query = select(Handover).where(or_(col(Handover.confirmed_by_from).is_(None),
                                       col(Handover.confirmed_by_to).is_(None)))
    if username is not None:
        query = query.where(or_(Handover.from_user == username, Handover.to_user == username))
    return list(session.exec(query.order_by(col(Handover.created_at))))


@router.get("/accounts")
def accounts(staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if staff_account.role != AccountRole.ADMIN.value:
        return page("error.html", status=403, staff=public(staff_account), message=chinese_message(Code.FORBIDDEN))
    return _accounts_page(staff_account, session, services)


@router.post("/accounts/{action}")
async def account_action(action: str, request: Request, staff_account: RequireStaff, session: DbSession,
                         services: ServicesDep) -> Response:
    try:
        async with request.form() as form:
            notice = await _act(action, form, staff_account, session, services)
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _accounts_page(staff_account, session, services, error=chinese_message(
            problem.code.value, problem.detail), status=problem.problem().status)
    except (ValidationError, ValueError) as error:
        session.rollback()
        return _accounts_page(staff_account, session, services, error=f"填写有误：{error}", status=422)
    return _accounts_page(staff_account, session, services, notice=notice)


@router.get("/handovers")
def my_handovers(staff_account: RequireStaff, session: DbSession) -> Response:
    return page("handovers.html", staff=public(staff_account),
                handovers=_pending(session, staff_account.username), me=staff_account.username)


@router.post("/handovers/{handover_id}/confirm")
def confirm(handover_id: str, staff_account: RequireStaff, session: DbSession,
            services: ServicesDep) -> Response:
    try:
        handover.confirm_handover(session, staff_account, handover_id, services.clock())
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return page("error.html", status=404, staff=public(staff_account),
                    message=chinese_message(problem.code.value, problem.detail))
    return RedirectResponse("/console/handovers", status_code=303)


async def _act(action: str, form: FormData, actor: Account, session: Session, services: Services) -> str:
    """One administrator form through the service functions; the notice to show."""
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    now = services.clock()
    if action == "create":
        body = NewAccount.model_validate({**text, "posts": form.getlist("posts"),
                                          "team_id": text.get("team_id") or None})
        created = staff.add_account(session, actor, body, now)
        return f"已创建账号 {created.username}（{created.name}）"
    if action == "credential":
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ProblemError(Code.VALIDATION, "请选择扫描件")
        stored = await store_upload(services.blobs, await upload.read(MAX_UPLOAD_BYTES + 1))
        kind = CredentialKind(text.get("kind", ""))
        staff.record_credential(session, actor, text.get("username", ""), kind, date.fromisoformat(text["valid_from"]),
                                date.fromisoformat(text["valid_until"]), stored, now, text.get("note", ""))
        return f"已登记 {text.get('username')} 的{CREDENTIAL_NAMES[kind]}"
    if action == "close":
        row = handover.start_handover(session, actor, text.get("username", ""), text.get("successor", ""), now)
        return f"已生成交接清单（{len(row.case_ids)} 个案件），待 {row.from_user} 与 {row.to_user} 双方确认"
    raise ProblemError(Code.NOT_FOUND, action)
