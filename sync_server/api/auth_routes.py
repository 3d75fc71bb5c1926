"""Signing in and out: surveyors on a tablet with their PIN, console staff with a password."""
from __future__ import annotations

from fastapi import APIRouter, Response

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole, DeviceLogin, PasswordLogin
from schemas.protocol import Session as WireSession
from schemas.staffing import PasswordChange
from sync_server.accounts import fleet
from sync_server.accounts.auth import CONSOLE, DEVICE, change_password, check_login, issue_token, public
from sync_server.api.deps import ClientAddress, CurrentToken, DbSession, ServicesDep, Transaction
from sync_server.office import staff
from sync_server.transparency import audit

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/device-login", response_model=WireSession)
def device_login(body: DeviceLogin, session: DbSession, services: ServicesDep,
                 client: ClientAddress) -> WireSession:
    """A surveyor signs in on a tablet with username and 6-digit PIN; the token works only with
    `X-Device-Id: <device_id>` and for `Settings.device_session` (12 h). Failures slow down (429)."""
    now = services.clock()
    try:
        account = check_login(services.session, session, body.username, body.pin, use_pin=True, now=now,
                              client=client)
    except ProblemError:
        session.rollback()
        audit.log_now(session, "auth.login_failed", now, body.username, via="device", device_id=body.device_id)
        raise
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以在平板上登录")
    staff.require_cleared(session, account, now.date())  # R5, R34: no field work without them
    fleet.note_sign_in(session, body.device_id, account, now)  # a lost tablet is told to wipe (issue 18)
    token, expires_at = issue_token(session, account, kind=DEVICE, now=now,
                                    ttl=services.settings.device_session, device_id=body.device_id)
    audit.log(session, "auth.login", now, body.username, via="device", device_id=body.device_id)
    session.commit()
    return WireSession(token=token, expires_at=expires_at, account=public(account))


@router.post("/login", response_model=WireSession)
def password_login(body: PasswordLogin, session: DbSession, services: ServicesDep,
                   client: ClientAddress) -> WireSession:
    """Staff sign in with username and password; the session lasts 12 hours. Surveyors are refused:
    they sign in on a tablet with their PIN (device-login) only."""
    now = services.clock()
    try:
        account = check_login(services.session, session, body.username, body.password, use_pin=False, now=now,
                              client=client)
    except ProblemError:
        session.rollback()
        audit.log_now(session, "auth.login_failed", now, body.username, via="password")
        raise
    if account.role == AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "调查人员请在平板上用 PIN 码登录")
    staff.flag_if_weak(session, account, body.password)
    session.commit()
    if staff.password_due(account, now):  # R33: changed before anything else
        raise ProblemError(Code.PASSWORD_CHANGE_REQUIRED, "请通过 POST /api/v1/auth/password 修改密码",
                           username=account.username)
    token, expires_at = issue_token(session, account, kind=CONSOLE, now=now,
                                    ttl=services.settings.console_session)
    audit.log(session, "auth.login", now, body.username, via="password")
    session.commit()
    return WireSession(token=token, expires_at=expires_at, account=public(account))


@router.post("/password", status_code=204)
def password_change(body: PasswordChange, session: Transaction, services: ServicesDep,
                    client: ClientAddress) -> None:
    """Change one's password with the old one (also when sign-in demands it); the new one must pass R6.
    Wrong old passwords slow down like sign-ins."""
    now = services.clock()
    account = check_login(services.session, session, body.username, body.old_password, use_pin=False, now=now,
                          client=client)
    change_password(session, account, body.old_password, body.new_password, now)


@router.post("/logout", status_code=204, response_class=Response)
def logout(token: CurrentToken, session: Transaction, services: ServicesDep) -> Response:
    """End the caller's token on the server (a tablet's sign-out); it is refused from then on."""
    row = session.merge(token)
    audit.log(session, "auth.logout", services.clock(), row.username, via="api")
    session.delete(row)
    return Response(status_code=204)
