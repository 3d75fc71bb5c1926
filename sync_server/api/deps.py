"""Dependencies named as types, so a route reads like a sentence:
`def read_case(session: DbSession, account: CurrentAccount, case_id: str)`. A write route takes
`session: Transaction` instead and never commits itself (`unit_of_work`)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import API_PREFIX, DEVICE_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, AccountRole
from schemas.text import SHORT
from sync_server.accounts import fleet
from sync_server.accounts.auth import DEVICE, live_token
from sync_server.api import access
from sync_server.services import Services
from sync_server.tables import Account, SessionToken

_bearer = HTTPBearer(auto_error=False, description="设备或控制台登录返回的令牌")


async def get_services(request: Request) -> Services:
    """The app's services (async: a plain attribute read needs no worker thread, as a sync dependency would)."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[Session]:
    """The request's session. Made here on the event loop (a new session touches no database: it connects at
    its first statement) and closed in a worker thread (closing returns its connection, which may talk to
    the database), shielded as FastAPI shields a sync dependency's exit: one thread hop, not two (issue 19)."""
    session = services.session()
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):
            # its own limiter, as FastAPI's exit of a sync dependency: a close never queues behind the requests
            # holding the default limiter's threads while they wait for the connection this close returns
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))


DbSession = Annotated[Session, Depends(get_session)]


def unit_of_work(session: DbSession) -> Iterator[Session]:
    """One transaction per write request: committed when the route has returned and its answer is built,
    rolled back when anything raised. Function scope: the commit happens before the response is sent, so
    a failed commit is answered as the problem it is, never after a 2xx has gone out."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


Transaction = Annotated[Session, Depends(unit_of_work, scope="function")]


_VERSION_RULE = {"enum": [str(PROTOCOL_VERSION)]}  # in the schema; other values: protocol.unsupported (400)


async def check_protocol(version: Annotated[str | None, Header(alias=PROTOCOL_HEADER,
                                                         json_schema_extra=_VERSION_RULE)] = None) -> None:
    """Refuse clients that speak another protocol version (a missing header is accepted)."""
    if version is not None and version.strip() != str(PROTOCOL_VERSION):
        raise ProblemError(Code.PROTOCOL_UNSUPPORTED, f"服务器协议版本 {PROTOCOL_VERSION}，客户端 {version}",
                           server_version=PROTOCOL_VERSION)


def checked_token(session: Session, token: str, device_id: str | None, request: Request,
                  services: Services) -> tuple[SessionToken, Account]:
    """The live token and its account, or a problem. A device token needs `X-Device-Id` naming its device
    (a copied token is useless elsewhere); a surveyor may call only the routes in access.SURVEYOR.
    Every route checks tokens here, those that stream a body (brief_auth) included."""
    found = live_token(session, token, services.clock())
    if found is None:
        fleet.refuse_if_lost(session, device_id or "")  # a lost tablet is told to wipe (issue 18)
        raise ProblemError(Code.AUTH_INVALID, "令牌无效或已过期")
    row, account = found
    if row.kind in (DEVICE, fleet.UPLOAD_ONLY) and (device_id or "") != row.device_id:
        raise ProblemError(Code.AUTH_INVALID, "令牌不属于这台设备")
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    template = template if template.startswith(API_PREFIX) else API_PREFIX + template  # routes of api_router
    if row.kind == fleet.UPLOAD_ONLY and (request.method, template) not in access.UPLOAD_ONLY:
        raise ProblemError(Code.DEVICE_UPLOAD_ONLY, device_id=row.device_id, upload_first=True)
    if (row.kind in (DEVICE, fleet.UPLOAD_ONLY) or account.role == AccountRole.SURVEYOR.value) \
            and not access.surveyor_may(request.method, template):
        raise ProblemError(Code.FORBIDDEN, "调查人员的平板令牌不能调用此接口")
    return row, account


DeviceId = Annotated[str | None, Header(alias=DEVICE_HEADER, max_length=SHORT)]


def current_credentials(request: Request, services: ServicesDep, session: DbSession,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                        device_id: DeviceId = None) -> tuple[SessionToken, Account]:
    """The live token behind the bearer header and its account, from the one query that loads both (see
    `checked_token`): the only dependency of the chain that reads the database, so the only one that goes
    to a worker thread. The token, the account and the role checks below are async and read these rows
    (issue 19: the account was read again, and each step was a thread hop there and back)."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    return checked_token(session, credentials.credentials, device_id, request, services)


Credentials = Annotated[tuple[SessionToken, Account], Depends(current_credentials)]


async def current_token(credentials: Credentials) -> SessionToken:
    """The live token behind the bearer header (see `current_credentials`)."""
    return credentials[0]


CurrentToken = Annotated[SessionToken, Depends(current_token)]


async def current_account(credentials: Credentials) -> Account:
    """The account behind the bearer token (see `current_credentials`), the row of the request's session."""
    return credentials[1]


CurrentAccount = Annotated[Account, Depends(current_account)]


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token as sent (for logout)."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


async def current_surveyor(account: CurrentAccount) -> Account:
    """The caller, who must be a surveyor."""
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account


CurrentSurveyor = Annotated[Account, Depends(current_surveyor)]


async def current_admin(account: CurrentAccount) -> Account:
    """The caller, who must be an administrator."""
    if account.role != AccountRole.ADMIN.value:
        raise ProblemError(Code.FORBIDDEN, "仅管理员可以进行此操作")
    return account


CurrentAdmin = Annotated[Account, Depends(current_admin)]


async def client_address(request: Request) -> str:
    """The caller's network address, as the ASGI server saw it (the unit of per-client throttling)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]
