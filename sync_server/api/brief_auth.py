"""Authentication that does not hold a database session: for routes that stream a body afterwards.

`CurrentSurveyor` depends on `DbSession`, a session FastAPI keeps open until the response is sent;
an upload would hold a pooled connection for as long as its bytes take to arrive. `BriefSurveyor`
resolves the token in a session of its own and closes it before the route reads the body.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.records import SHA256_PATTERN
from sync_server.evidence.access import has_claim
from sync_server.services import Services
from sync_server.tables import Account

from .deps import DeviceId, ServicesDep, checked_token

_bearer = HTTPBearer(auto_error=False, description="设备登录返回的令牌")


def _resolve(services: Services, token: str, device_id: str | None, request: Request,
             sha256: str | None = None) -> tuple[Account, bool]:
    """The token's account and (given a file) whether the account's owner holds that file: one session."""
    with services.session() as session:
        _row, account = checked_token(session, token, device_id, request, services)
        holds = sha256 is not None and account.role == AccountRole.SURVEYOR.value \
            and has_claim(session, account, sha256)
        session.expunge(account)
        return account, holds


async def _surveyor(request: Request, services: Services, credentials: HTTPAuthorizationCredentials | None,
                    device_id: str | None, sha256: str | None = None) -> tuple[Account, bool]:
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    account, holds = await run_in_threadpool(_resolve, services, credentials.credentials, device_id, request, sha256)
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account, holds


async def brief_surveyor(request: Request, services: ServicesDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                         device_id: DeviceId = None) -> Account:
    """The surveyor behind the bearer token, checked like every token (device, allowed routes), in a
    session closed before returning."""
    return (await _surveyor(request, services, credentials, device_id))[0]


BriefSurveyor = Annotated[Account, Depends(brief_surveyor)]


@dataclass(frozen=True)
class Uploader:
    """The surveyor appending to an upload, and whether their owner (team, unit, person) holds the file."""

    account: Account
    holds: bool


async def brief_uploader(request: Request, services: ServicesDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                         sha256: Annotated[str, Path(pattern=SHA256_PATTERN)], device_id: DeviceId = None
                         ) -> Uploader:
    """`brief_surveyor` for the file in the path, with its claim looked up in the same brief session."""
    return Uploader(*await _surveyor(request, services, credentials, device_id, sha256))


BriefUploader = Annotated[Uploader, Depends(brief_uploader)]


@dataclass(frozen=True)
class BearerCall:
    """A request's credentials, not yet checked: for routes whose first reads go in the same worker-thread call
    and session as the token's check (`surveyor_in`), instead of a thread hop and a session of their own each
    (issue 19: the missing-files question and a visit's bundle)."""

    request: Request
    services: Services
    token: str | None
    device_id: str | None


async def bearer_call(request: Request, services: ServicesDep,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                      device_id: DeviceId = None) -> BearerCall:
    """The credentials as sent (async: nothing is read here); a missing token is refused at once."""
    if credentials is None:
        raise ProblemError(Code.AUTH_REQUIRED)
    return BearerCall(request, services, credentials.credentials, device_id)


BriefCall = Annotated[BearerCall, Depends(bearer_call)]


def surveyor_in(session: Session, call: BearerCall) -> Account:
    """The surveyor behind the call's token, checked exactly as `brief_surveyor` checks it (token, device,
    allowed routes, role), in the caller's session; run it first, in a worker thread."""
    assert call.token is not None  # bearer_call refused a missing one
    _row, account = checked_token(session, call.token, call.device_id, call.request, call.services)
    if account.role != AccountRole.SURVEYOR.value:
        raise ProblemError(Code.FORBIDDEN, "仅调查人员可以进行此操作")
    return account
