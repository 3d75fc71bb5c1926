"""Console pages: login with a password, the case list, a case with its records and evidence.

The console keeps its token in an HttpOnly, SameSite=Strict cookie; only reviewers, township
staff and administrators may sign in (R6).
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from schemas.evidence_checks import duplicate_signatures
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from schemas.text import LINE, SHORT, clean_text
from sync_server import audit, queries
from sync_server import staff as staff_rules
from sync_server.api.deps import ClientAddress, DbSession, ServicesDep
from sync_server.auth import CONSOLE, account_for_token, check_login, issue_token, public, revoke_token
from sync_server.case_views import case_detail, evidence_of
from sync_server.console.guard import SESSION_COOKIE
from sync_server.console.office_views import RECORDS_PER_PAGE, office_context, page_photos, record_window
from sync_server.console.templating import HERE, page, templates
from sync_server.console.views import local_time, record_view
from sync_server.display import Variant
from sync_server.display.serving import display_response
from sync_server.evidence_access import may_read_evidence
from sync_server.evidence_serving import evidence_file_response
from sync_server.intake_views import case_documents
from sync_server.record_standing import case_standings, mark_views
from sync_server.services import Services
from sync_server.tables import Account

COOKIE = SESSION_COOKIE
CONSOLE_ROLES = {AccountRole.REVIEWER.value, AccountRole.TOWNSHIP.value, AccountRole.ADMIN.value}
templates.filters["beijing"] = local_time


def console_account(request: Request, session: DbSession, services: ServicesDep) -> Account | None:
    """The staff member behind the console cookie, if any."""
    token = request.cookies.get(COOKIE)
    account = account_for_token(session, token, services.clock(), kind=CONSOLE) if token else None
    return account if account is not None and account.role in CONSOLE_ROLES else None


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form body as a plain dict (first value of each field)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


Staff = Annotated[Account | None, Depends(console_account)]
Form = Annotated[dict[str, str], Depends(form_fields)]
TO_LOGIN = "/console/login"


def console_router() -> APIRouter:
    """The /console pages (kept out of the API schema)."""
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
        response.set_cookie(COOKIE, token, max_age=int(services.settings.console_session.total_seconds()),
                            httponly=True, samesite="strict",
                            secure=services.settings.secure_cookies or request.url.scheme == "https",
                            path="/console")
        return response

    @router.post("/logout")
    def logout(request: Request, session: DbSession, services: ServicesDep) -> Response:
        if token := request.cookies.get(COOKIE):
            account = account_for_token(session, token, services.clock())
            revoke_token(session, token)
            audit.log(session, "auth.logout", services.clock(), account.username if account else "", via="console")
            session.commit()
        response = RedirectResponse(TO_LOGIN, status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    @router.get("/cases/{case_id}")
    def case_page(case_id: str, request: Request, staff: Staff, session: DbSession,
                  services: ServicesDep) -> Response:
        if staff is None:
            return RedirectResponse(TO_LOGIN, status_code=303)
        try:
            case = queries.visible_case(session, staff, case_id)
        except ProblemError as problem:
            return page("error.html", status=404, staff=public(staff),
                         message=chinese_message(problem.code.value))
        rows = queries.case_records(session, case.id)
        open_record = request.query_params.get("record", "")
        asked = request.query_params.get("records", "")
        shown = record_window([r.id for r in rows], open_record, int(asked) if asked.isdigit() else 0)
        detail = case_detail(session, case, services.holidays(session),
                             rows[(shown["page"] - 1) * RECORDS_PER_PAGE: shown["page"] * RECORDS_PER_PAGE])
        names = {u for m in detail.records for u in m.sealed.record.surveyors}
        names |= {e.captured_by for m in detail.records for e in m.sealed.record.evidence}
        people = {u: public(a) for u, a in queries.accounts_by_username(session, names).items()}
        people |= {a.username: a for a in detail.case.team}
        records = [record_view(m, people) for m in detail.records]
        mark_views(records, case_standings(session, case.id, rows))  # R42: returned records say so
        photo_page = request.query_params.get("photos", "1")
        pages = page_photos(records, open_record, int(photo_page) if photo_page.isdigit() else 1)
        return page("case.html", staff=public(staff), detail=detail, records=records, photo_pages=pages,
                     open_record=open_record, documents=case_documents(session, case),
                     record_pages=shown, record_total=len(rows),
                     repeated=duplicate_signatures(evidence_of(rows)),
                     township=staff.role == AccountRole.TOWNSHIP.value,
                     **office_context(session, case, staff, services.holidays(session)))

    def refusal(sha256: str, staff: Account | None, session: Session, services: Services) -> Response | None:
        """401 or 404 unless this staff member may read the stored file; None when they may."""
        if staff is None:
            return Response(status_code=401)
        readable = services.blobs.is_address(sha256) and services.blobs.has(sha256)
        if not readable or not may_read_evidence(session, staff, sha256):
            return Response(status_code=404)
        return None

    @router.get("/evidence/{sha256}")
    def evidence_download(sha256: str, staff: Staff, session: DbSession, services: ServicesDep) -> Response:
        refused = refusal(sha256, staff, session, services)
        if refused is not None:
            return refused
        assert staff is not None  # refusal answered 401
        audit.log(session, "evidence.downloaded", services.clock(), staff.username, subject=sha256, via="console")
        session.commit()
        return evidence_file_response(services.blobs.local_path(sha256), sha256)

    @router.get("/evidence/{sha256}/preview")
    def evidence_preview(sha256: str, request: Request, staff: Staff, session: DbSession,
                         services: ServicesDep) -> Response:
        """The watermarked display copy (made once); the original stays at /evidence/{sha256}."""
        return display(sha256, request, staff, session, services, Variant.DISPLAY)

    @router.get("/evidence/{sha256}/thumb")
    def evidence_thumb(sha256: str, request: Request, staff: Staff, session: DbSession,
                       services: ServicesDep) -> Response:
        return display(sha256, request, staff, session, services, Variant.THUMB)

    def display(sha256: str, request: Request, staff: Account | None, session: Session, services: Services,
                variant: Variant) -> Response:
        refused = refusal(sha256, staff, session, services)
        if refused is not None:
            return refused
        assert staff is not None  # refusal answered 401
        return display_response(session, staff, services.display, sha256, request.query_params.get("record"),
                                variant)

    from sync_server.console.admin_pages import admin_router
    from sync_server.console.documents_routes import documents_router
    from sync_server.console.intake_pages import intake_router

    router.include_router(documents_router())
    router.include_router(intake_router())
    router.include_router(admin_router())
    return router


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
