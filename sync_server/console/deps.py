"""What every console page shares: who is signed in (`Staff`, or `RequireStaff` for pages that need
someone), the form body, and the one redirect to the login.

A page that needs a signed-in staff member takes `RequireStaff`: when the console cookie names nobody
allowed in, the dependency raises `SignInRequired` and `to_login` (installed with the console guard)
answers 303 to the login page. Pages that answer an anonymous caller otherwise (the login page itself,
files answered 401) take `Staff`, which may be None."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from schemas.protocol import AccountRole
from sync_server.accounts.auth import CONSOLE, account_for_token
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.guard import SESSION_COOKIE
from sync_server.tables import Account

TO_LOGIN = "/console/login"
CONSOLE_ROLES = {AccountRole.REVIEWER.value, AccountRole.TOWNSHIP.value, AccountRole.ADMIN.value}


def console_account(request: Request, session: DbSession, services: ServicesDep) -> Account | None:
    """The staff member behind the console cookie, if any (surveyors never: R6)."""
    token = request.cookies.get(SESSION_COOKIE)
    account = account_for_token(session, token, services.clock(), kind=CONSOLE) if token else None
    return account if account is not None and account.role in CONSOLE_ROLES else None


Staff = Annotated[Account | None, Depends(console_account)]


class SignInRequired(Exception):
    """Raised by `require_staff` when nobody allowed in is signed in; answered by `to_login`."""


def require_staff(staff: Staff) -> Account:
    """The signed-in staff member, or `SignInRequired`."""
    if staff is None:
        raise SignInRequired
    return staff


RequireStaff = Annotated[Account, Depends(require_staff)]


async def to_login(_request: Request, _exc: Exception) -> RedirectResponse:
    """The one answer to a console page asked for without a sign-in."""
    return RedirectResponse(TO_LOGIN, status_code=303)


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form body as a plain dict (first value of each field)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


Form = Annotated[dict[str, str], Depends(form_fields)]
