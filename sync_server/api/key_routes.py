"""Surveyors' public keys: enrol your own (PIN + your device), list anyone's; administrators list and revoke."""
from __future__ import annotations

import base64

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from schemas.problems import Code, ProblemError
from schemas.protocol import KeyEnrolment, KeyRegistration
from schemas.seal import key_id as key_id_of
from sync_server.accounts.auth import check_login
from sync_server.api.deps import (
    ClientAddress,
    CurrentAccount,
    CurrentSurveyor,
    CurrentToken,
    DbSession,
    ServicesDep,
)
from sync_server.tables import Account, SurveyorKey, queries
from sync_server.transparency import audit

router = APIRouter(tags=["keys"])


def wire_key(key: SurveyorKey) -> KeyRegistration:
    """The wire form of a stored key."""
    return KeyRegistration(key_id=key.key_id, public_key=key.public_key, username=key.username,
                           device_id=key.device_id, registered_at=key.registered_at, enrolled_by=key.enrolled_by,
                           revoked_at=key.revoked_at, revoked_by=key.revoked_by, revoke_reason=key.revoke_reason)


@router.put("/keys", response_model=KeyRegistration)
def register_key(body: KeyEnrolment, session: DbSession, surveyor: CurrentSurveyor, token: CurrentToken,
                 services: ServicesDep, client: ClientAddress) -> KeyRegistration:
    """Enrol the caller's own Ed25519 key: the body names the device the caller's token was issued to and
    carries the caller's PIN, checked now (wrong PINs slow down like sign-ins). Enrolling the same key
    again changes nothing."""
    if body.device_id != token.device_id:
        raise ProblemError(Code.KEY_DEVICE_MISMATCH, body.device_id)
    try:
        check_login(services.session, session, surveyor.username, body.pin, use_pin=True, now=services.clock(),
                    client=client)
    except ProblemError as problem:
        if problem.code == Code.AUTH_INVALID:
            raise ProblemError(Code.KEY_PIN_INVALID) from None
        raise
    raw = base64.b64decode(body.public_key)  # the schema's pattern makes it 32 bytes of base64
    if key_id_of(raw) != body.key_id:
        raise ProblemError(Code.VALIDATION, "key_id 与公钥不符", expected=key_id_of(raw))
    existing = session.get(SurveyorKey, body.key_id)
    if existing is not None:
        return _same_key(existing, surveyor, raw)
    key = SurveyorKey(key_id=body.key_id, username=surveyor.username, public_key=base64.b64encode(raw).decode(),
                      device_id=token.device_id, registered_at=services.clock(), enrolled_by=surveyor.username)
    session.add(key)
    try:
        audit.log(session, "key.registered", key.registered_at, surveyor.username, subject=key.key_id,
                  public_key=key.public_key, device_id=key.device_id)  # the enrolment record
        session.commit()
    except IntegrityError:  # a concurrent registration of this key_id committed first
        session.rollback()
        existing = session.get(SurveyorKey, body.key_id)
        if existing is None:
            raise
        return _same_key(existing, surveyor, raw)
    return wire_key(key)


def _same_key(existing: SurveyorKey, surveyor: Account, raw: bytes) -> KeyRegistration:
    """The stored registration if it is this surveyor's very key; otherwise `key.conflict`."""
    if existing.username != surveyor.username or base64.b64decode(existing.public_key) != raw:
        raise ProblemError(Code.KEY_CONFLICT, existing.key_id, key_id=existing.key_id)
    return wire_key(existing)


@router.get("/accounts/{username}/keys", response_model=list[KeyRegistration])
def list_keys(username: str, session: DbSession, _account: CurrentAccount) -> list[KeyRegistration]:
    """A user's registered public keys (revoked ones too, marked), so staff can verify their seals."""
    if session.get(Account, username) is None:
        raise ProblemError(Code.NOT_FOUND, f"账号 {username}")
    return [wire_key(k) for k in queries.keys_of(session, username)]
