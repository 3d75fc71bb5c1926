"""Authentication that does not hold a database session: for routes that stream a body afterwards.

`CurrentSurveyor` depends on `DbSession`, a session FastAPI keeps open until the response is sent;
an upload would hold a pooled connection for as long as its bytes take to arrive. `BriefSurveyor`
resolves the token in a session of its own and closes it before the route reads the body.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.auth import account_for_token
from sync_server.services import Services
from sync_server.tables import Account

from .deps import ServicesDep

_bearer = HTTPBearer(auto_error=False, description="设备登录返回的令牌")


def _resolve(services: Services, token: str) -> Account | None:
    with services.session() as session:
        account = account_for_token(session, token, services.clock())
        if account is not None:
            session.commit()  # whatever the lookup touched (last use) is kept
            session.expunge(account)
        return account


async def brief_surveyor(services: ServicesDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Account:
    """The surveyor behind the bearer token, looked up in a session closed before returning."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    account = await run_in_threadpool(_resolve, services, credentials.credentials)
    if account is None:
        raise ProblemError(Code.AUTH_INVALID, "令牌无效或已过期")
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account


BriefSurveyor = Annotated[Account, Depends(brief_surveyor)]
