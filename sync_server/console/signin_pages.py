"""Console sign-in and sign-out, the stylesheet, and `/console/` itself.

The console keeps its token in an HttpOnly, SameSite=Strict cookie; only reviewers, township
staff and administrators may sign in (R6). Everything else under /console takes `RequireStaff`
(console/deps.py) and is sent here when nobody is signed in."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from schemas.problems import Code, ProblemError, chinese_message
from schemas.text import LINE, SHORT, clean_text
from sync_server.accounts.auth import CONSOLE, account_for_token, check_login, issue_token, revoke_token
from sync_server.api.deps import ClientAddress, DbSession, ServicesDep, Transaction
from sync_server.console.deps import CONSOLE_ROLES, TO_LOGIN, Form, Staff
from sync_server.console.guard import SESSION_COOKIE
from sync_server.console.templating import HERE, page
from sync_server.office import staff as staff_rules
from sync_server.transparency import audit

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/")
def home(staff: Staff) -> Response:
    return RedirectResponse("/console/cases" if staff else TO_LOGIN, status_code=303)


@router.get("/console.css")
def stylesheet() -> FileResponse:
    return FileResponse(HERE / "console.css", media_type="text/css")


@router.get("/login")
def login_page(staff: Staff) -> Response:
    return RedirectResponse("/console/cases", status_code=303) if staff else page("login.html")


@router.post("/login")
def login(request: Request, form: Form, session: DbSession, services: ServicesDep,
          client: ClientAddress) -> Response:
    username, now = form.get("username", "").strip()[:SHORT], services.clock()
    try:
        password = clean_text(form.get("password", ""))[:LINE]
        account = check_login(services.session, session, username, password, use_pin=False, now=now,
                              client=client)
        if account.role not in CONSOLE_ROLES:
            raise ProblemError(Code.FORBIDDEN, "调查人员请使用平板应用")
        staff_rules.flag_if_weak(session, account, password)
        if staff_rules.password_due(account, now):  # R33: no session until the password is renewed
            session.commit()
            raise ProblemError(Code.PASSWORD_CHANGE_REQUIRED)
    except (ProblemError, ValueError) as error:
        problem = error if isinstance(error, ProblemError) else ProblemError(Code.VALIDATION, str(error))
        session.commit()  # what the refusal itself recorded (a weak password flag)
        audit.log_now(session, "auth.login_failed", now, clean_text_or_empty(username), via="console")
        retry = problem.data.get("retry_after")
        refused = page("login.html", status=problem.problem().status, error=_login_message(problem),
                       username=clean_text_or_empty(username))
        if retry is not None:
            refused.headers["Retry-After"] = str(retry)
        return refused
    token, _ = issue_token(session, account, kind=CONSOLE, now=now, ttl=services.settings.console_session)
    audit.log(session, "auth.login", now, account.username, via="console")
    session.commit()
    response = RedirectResponse("/console/cases", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(services.settings.console_session.total_seconds()),
                        httponly=True, samesite="strict",
                        secure=services.settings.secure_cookies or request.url.scheme == "https",
                        path="/console")
    return response


@router.post("/logout")
def logout(request: Request, session: Transaction, services: ServicesDep) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        account = account_for_token(session, token, services.clock())
        revoke_token(session, token)
        audit.log(session, "auth.logout", services.clock(), account.username if account else "", via="console")
    response = RedirectResponse(TO_LOGIN, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def _login_message(problem: ProblemError) -> str:
    if problem.code == Code.AUTH_INVALID:
        return "用户名或密码不正确" + (f"（{problem.detail}）" if problem.detail else "")
    return chinese_message(problem.code.value, problem.detail)


def clean_text_or_empty(value: str) -> str:
    """The value if it is clean text, else empty (never echo a NUL or lone surrogate into a page)."""
    try:
        return clean_text(value)
    except ValueError:
        return ""
