"""Surveyors' public keys: register your own, list anyone's."""
from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from schemas.problems import Code, ProblemError
from schemas.protocol import KeyRegistration
from schemas.seal import key_id as key_id_of
from sync_server import audit, queries
from sync_server.api.deps import CurrentAccount, CurrentSurveyor, DbSession, ServicesDep
from sync_server.tables import Account, SurveyorKey

router = APIRouter(tags=["keys"])


def _wire(key: SurveyorKey) -> KeyRegistration:
    return KeyRegistration(key_id=key.key_id, public_key=key.public_key, device_id=key.device_id,
                           registered_at=key.registered_at)


def _raw_key(public_key: str) -> bytes:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ProblemError(Code.VALIDATION, "公钥须为 32 字节 Ed25519 公钥的 base64")
    return raw


@router.put("/keys", response_model=KeyRegistration)
def register_key(body: KeyRegistration, session: DbSession, surveyor: CurrentSurveyor,
                 services: ServicesDep) -> KeyRegistration:
    """Register the caller's Ed25519 public key; registering the same key again changes nothing."""
    raw = _raw_key(body.public_key)
    if key_id_of(raw) != body.key_id:
        raise ProblemError(Code.VALIDATION, "key_id 与公钥不符", expected=key_id_of(raw))
    existing = session.get(SurveyorKey, body.key_id)
    if existing is not None:
        return _same_key(existing, surveyor, raw)
    key = SurveyorKey(key_id=body.key_id, username=surveyor.username,
                      public_key=base64.b64encode(raw).decode(), device_id=body.device_id,
                      registered_at=services.clock())
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
    return _wire(key)


def _same_key(existing: SurveyorKey, surveyor: Account, raw: bytes) -> KeyRegistration:
    """The stored registration if it is this surveyor's very key; otherwise `key.conflict`."""
    if existing.username != surveyor.username or base64.b64decode(existing.public_key) != raw:
        raise ProblemError(Code.KEY_CONFLICT, existing.key_id, key_id=existing.key_id)
    return _wire(existing)


@router.get("/accounts/{username}/keys", response_model=list[KeyRegistration])
def list_keys(username: str, session: DbSession, _account: CurrentAccount) -> list[KeyRegistration]:
    """A user's registered public keys, so anyone can verify their seals."""
    if session.get(Account, username) is None:
        raise ProblemError(Code.NOT_FOUND, f"账号 {username}")
    return [_wire(k) for k in queries.keys_of(session, username)]
