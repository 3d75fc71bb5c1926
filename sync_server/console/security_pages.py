"""The administrator's console for access (issue 18; R4, R6, R33): every surveyor's signing key with a
revoke form (a lost tablet, a leaver), the sign-in delays that hold an account with an unlock, and the
periodic password recheck. The API's service functions do the work (accounts/admin_actions.py): the
same rules, the same audit log entries (key.revoked, account.unlocked, accounts.password_recheck)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from sync_server.accounts import admin_actions
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.admin_forms import Outcome, refuse_unless_admin, run
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.services import Services
from sync_server.tables import Account, SurveyorKey

router = APIRouter(prefix="/console/admin", include_in_schema=False)


def _keys_page(actor: Account, session: Session, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    keys = list(session.exec(select(SurveyorKey).order_by(col(SurveyorKey.username),
                                                          col(SurveyorKey.registered_at))))
    names = {a.username: a.name for a in session.exec(select(Account))}
    return page("admin_keys.html", status=outcome.status, staff=public(actor), keys=keys, names=names,
                outcome=outcome)


@router.get("/keys")
def keys(staff_account: RequireStaff, session: DbSession) -> Response:
    return refuse_unless_admin(staff_account) or _keys_page(staff_account, session)


@router.post("/keys/{key_id}/revoke")
def revoke_key(key_id: str, form: Form, staff_account: RequireStaff, session: DbSession,
               services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        reason = form.get("reason", "").strip()
        if not reason:
            raise ProblemError(Code.VALIDATION, "请填写吊销理由")
        key = admin_actions.revoke_key(session, staff_account, key_id, reason, services.clock())
        return f"已吊销 {key.username} 的密钥 {key.key_id[:16]}…：此后以该密钥签章的记录一律拒收"
    return _keys_page(staff_account, session, run(session, act, form))


def _signin_page(actor: Account, session: Session, services: Services, outcome: Outcome | None = None,
                 flagged: list[str] | None = None) -> Response:
    outcome = outcome or Outcome()
    people = list(session.exec(select(Account).where(col(Account.active).is_(True)).order_by(col(Account.username))))
    return page("admin_signin.html", status=outcome.status, staff=public(actor), delays=admin_actions.delays(session),
                people=people, now=services.clock(), outcome=outcome, flagged=flagged,
                due=[a for a in people if a.must_change_password])


@router.get("/sign-in")
def sign_in_safety(staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return refuse_unless_admin(staff_account) or _signin_page(staff_account, session, services)


@router.post("/unlock")
def unlock(form: Form, staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused
    username = form.get("username", "")

    def act() -> str:
        cleared = admin_actions.unlock(session, services.session, staff_account, username, services.clock())
        return f"已解除 {username} 的登录延时（清除 {cleared} 项计数）"
    return _signin_page(staff_account, session, services, run(session, act))


@router.post("/password-recheck")
def password_recheck(staff_account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused
    flagged: list[str] = []

    def act() -> str:
        flagged.extend(admin_actions.recheck_passwords(session, staff_account, services.clock()))
        return (f"密码复查完成：{len(flagged)} 个账号的密码已超过使用期限，下次登录前须修改" if flagged
                else "密码复查完成：没有超过使用期限的密码")
    return _signin_page(staff_account, session, services, run(session, act), flagged=flagged)
