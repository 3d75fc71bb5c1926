"""Authentication that does not hold a database session: for routes that stream a body afterwards.

`CurrentSurveyor` depends on `DbSession`, a session FastAPI keeps open until the response is sent;
an upload would hold a pooled connection for as long as its bytes take to arrive. `BriefSurveyor`
resolves the token in a session of its own and closes it before the route reads the body.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.services import Services
from sync_server.tables import Account

from .deps import DeviceId, ServicesDep, checked_token

_bearer = HTTPBearer(auto_error=False, description="设备登录返回的令牌")


def _resolve(services: Services, token: str, device_id: str | None, request: Request) -> Account:
    with services.session() as session:
        _row, account = checked_token(session, token, device_id, request, services)
        session.expunge(account)
        return account


async def brief_surveyor(request: Request, services: ServicesDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                         device_id: DeviceId = None) -> Account:
    """The surveyor behind the bearer token, checked like every token (device, allowed routes), in a
    session closed before returning."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    account = await run_in_threadpool(_resolve, services, credentials.credentials, device_id, request)
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account


BriefSurveyor = Annotated[Account, Depends(brief_surveyor)]
