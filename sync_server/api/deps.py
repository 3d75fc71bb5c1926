"""Dependencies named as types, so a route reads like a sentence:
`def read_case(session: DbSession, account: CurrentAccount, case_id: str)`."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, AccountRole
from sync_server.auth import account_for_token
from sync_server.services import Services
from sync_server.tables import Account

_bearer = HTTPBearer(auto_error=False, description="设备或控制台登录返回的令牌")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def check_protocol(version: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None) -> None:
    """Refuse clients that speak another protocol version (a missing header is accepted)."""
    if version is not None and version.strip() != str(PROTOCOL_VERSION):
        raise ProblemError(Code.PROTOCOL_UNSUPPORTED, f"服务器协议版本 {PROTOCOL_VERSION}，客户端 {version}",
                           server_version=PROTOCOL_VERSION)


def current_account(services: ServicesDep, session: DbSession,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Account:
    """The account behind the bearer token."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    account = account_for_token(session, credentials.credentials, services.clock())
    if account is None:
        raise ProblemError(Code.AUTH_INVALID, "令牌无效或已过期")
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token as sent (for logout)."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


def current_surveyor(account: CurrentAccount) -> Account:
    """The caller, who must be a surveyor."""
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account


CurrentSurveyor = Annotated[Account, Depends(current_surveyor)]
