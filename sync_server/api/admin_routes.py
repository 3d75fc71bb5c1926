"""Administrators: every signing key with who enrolled it, revoking a key, clearing sign-in delays."""
from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import col, select

from schemas.protocol import KeyRegistration, KeyRevocation
from sync_server.accounts import admin_actions
from sync_server.api.deps import CurrentAdmin, DbSession, ServicesDep, Transaction
from sync_server.api.key_routes import wire_key
from sync_server.tables import SurveyorKey

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/keys", response_model=list[KeyRegistration])
def all_keys(session: DbSession, _admin: CurrentAdmin) -> list[KeyRegistration]:
    """Every enrolled key: owner, device, enrolled at/by, revoked at/by and why; oldest first."""
    rows = session.exec(select(SurveyorKey).order_by(col(SurveyorKey.registered_at), col(SurveyorKey.key_id)))
    return [wire_key(k) for k in rows]


@router.post("/keys/{key_id}/revoke", response_model=KeyRegistration)
def revoke_key(key_id: str, body: KeyRevocation, session: Transaction, admin: CurrentAdmin,
               services: ServicesDep) -> KeyRegistration:
    """Revoke a key: records sealed with it that reach the server from now on are refused (`key.revoked`);
    those received before stay valid and say so. Revoking twice keeps the first revocation."""
    key = admin_actions.revoke_key(session, admin, key_id, body.reason, services.clock())
    return wire_key(key)


@router.post("/accounts/{username}/unlock", status_code=204, response_class=Response)
def unlock_account(username: str, session: DbSession, admin: CurrentAdmin, services: ServicesDep) -> Response:
    """Clear every sign-in delay of this account (from any client), e.g. after its owner called in."""
    admin_actions.unlock(session, services.session, admin, username, services.clock())
    return Response(status_code=204)
