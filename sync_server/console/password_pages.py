"""Changing one's own password in the console (R6, R33): the console refuses a sign-in whose password is
due or weak (`auth.password_change_required`) and, before this page, only the API could renew it. The
same checks as `POST /api/v1/auth/password`: the old password (wrong ones slow down like sign-ins), the
policy, logged as account.password_changed. No sign-in needed: that is the point."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from schemas.problems import Code, ProblemError, chinese_message
from sync_server.accounts.auth import change_password, check_login
from sync_server.api.deps import ClientAddress, DbSession, ServicesDep
from sync_server.console.deps import Form
from sync_server.console.templating import page

router = APIRouter(prefix="/console", include_in_schema=False)
LINE = 200


@router.get("/password")
def password_form() -> Response:
    return page("password.html", username="")


@router.post("/password")
def change(form: Form, session: DbSession, services: ServicesDep, client: ClientAddress) -> Response:
    username = form.get("username", "").strip()[:LINE]
    old, new = form.get("old_password", "")[:LINE], form.get("new_password", "")[:LINE]
    try:
        if new != form.get("new_password_again", "")[:LINE]:
            raise ProblemError(Code.VALIDATION, "两次输入的新密码不一致")
        now = services.clock()
        account = check_login(services.session, session, username, old, use_pin=False, now=now, client=client)
        change_password(session, account, old, new, now)
        session.commit()
    except ProblemError as problem:
        session.rollback()
        message = ("用户名或原密码不正确" if problem.code == Code.AUTH_INVALID
                   else chinese_message(problem.code.value, problem.detail))
        return page("password.html", status=problem.problem().status, error=message, username=username)
    return page("login.html", notice="密码已修改，请用新密码登录", username=username)
