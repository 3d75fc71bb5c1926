"""Signing in: surveyors on a tablet with their PIN, console staff with a password."""
from __future__ import annotations

from fastapi import APIRouter

from schemas.office import PasswordChange
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole, DeviceLogin, PasswordLogin
from schemas.protocol import Session as WireSession
from sync_server import staff
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.auth import CONSOLE, DEVICE, change_password, check_login, issue_token, public

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/device-login", response_model=WireSession)
def device_login(body: DeviceLogin, session: DbSession, services: ServicesDep) -> WireSession:
    """A surveyor signs in on a tablet with username and 6-digit PIN (five failures lock for 15 min)."""
    now = services.clock()
    outcome = check_login(session, body.username, body.pin, use_pin=True, now=now)
    if outcome.account is None or outcome.account.role != AccountRole.SURVEYOR.value:
        session.commit()  # keep the failure count
        raise outcome.problem or ProblemError(Code.FORBIDDEN, "仅调查人员可以在平板上登录")
    session.commit()  # the failure count is reset before any refusal below
    staff.require_cleared(session, outcome.account, now.date())  # R5, R34: no field work without them
    token, expires_at = issue_token(session, outcome.account, kind=DEVICE, now=now,
                                    ttl=services.settings.device_session, device_id=body.device_id)
    session.commit()
    return WireSession(token=token, expires_at=expires_at, account=public(outcome.account))


@router.post("/login", response_model=WireSession)
def password_login(body: PasswordLogin, session: DbSession, services: ServicesDep) -> WireSession:
    """Staff sign in with username and password; the session lasts 12 hours."""
    now = services.clock()
    outcome = check_login(session, body.username, body.password, use_pin=False, now=now)
    if outcome.account is None:
        session.commit()
        raise outcome.problem or ProblemError(Code.AUTH_INVALID)
    staff.flag_if_weak(session, outcome.account, body.password)
    session.commit()
    if staff.password_due(outcome.account, now):  # R33: changed before anything else
        raise ProblemError(Code.PASSWORD_CHANGE_REQUIRED, "请通过 POST /api/v1/auth/password 修改密码",
                           username=outcome.account.username)
    token, expires_at = issue_token(session, outcome.account, kind=CONSOLE, now=now,
                                    ttl=services.settings.console_session)
    session.commit()
    return WireSession(token=token, expires_at=expires_at, account=public(outcome.account))


@router.post("/password", status_code=204)
def password_change(body: PasswordChange, session: DbSession, services: ServicesDep) -> None:
    """Change one's password with the old one (also when sign-in demands it); the new one must pass R6."""
    now = services.clock()
    outcome = check_login(session, body.username, body.old_password, use_pin=False, now=now)
    if outcome.account is None:
        session.commit()
        raise outcome.problem or ProblemError(Code.AUTH_INVALID)
    change_password(session, outcome.account, body.old_password, body.new_password, now)
    session.commit()
