"""Administrators manage the entrusting units' systems (issue 20): register a unit, rotate its key (shown
once, in this answer only), set its webhook, see and re-send its deliveries. The console page
(console/exchange_pages.py) does the same through the same services."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import Field

from schemas.text import LineText, ShortText, WireModel
from sync_server.api.deps import CurrentAdmin, DbSession, ServicesDep, Transaction
from sync_server.documents import result_delivery
from sync_server.documents.result_push import messages_of
from sync_server.office import exchange_units
from sync_server.tables import ExchangeUnit

router = APIRouter(prefix="/admin/exchange-units", tags=["exchange-admin"])
WEBHOOK = r"^(https?://[!-~]+)?$"


class NewUnit(WireModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: LineText = Field(min_length=1, max_length=100, description="委托单位名称（与案件的委托单位一致）")
    team_id: ShortText = Field(description="该单位的委托默认分配的调查小组")
    webhook_url: str = Field(default="", max_length=300, pattern=WEBHOOK, description="结果回调地址（可空）")


class UnitView(WireModel):
    id: str
    name: str
    team_id: str
    key_prefix: str
    key_created_at: datetime | None
    webhook_url: str
    active: bool


class IssuedKeyView(WireModel):
    unit: UnitView
    key: str = Field(description="接口密钥：只显示这一次，服务器只保存其哈希")
    webhook_secret: str = Field(description="回调签名密钥（HMAC-SHA256）")


class WebhookSet(WireModel):
    webhook_url: str = Field(max_length=300, pattern=WEBHOOK, description="结果回调地址（空：不推送，只查询）")


class MessageView(WireModel):
    id: str
    seq: int
    case_id: str
    event: str
    created_at: datetime
    attempts: int
    delivered_at: datetime | None
    last_error: str


def unit_view(u: ExchangeUnit) -> UnitView:
    return UnitView(id=u.id, name=u.name, team_id=u.team_id, key_prefix=u.key_prefix, key_created_at=u.key_created_at,
                    webhook_url=u.webhook_url, active=u.active)


@router.get("", response_model=list[UnitView])
def list_units(session: DbSession, admin: CurrentAdmin) -> list[UnitView]:
    return [unit_view(u) for u in exchange_units.units(session)]


@router.post("", response_model=IssuedKeyView, status_code=201)
def register_unit(body: NewUnit, session: Transaction, admin: CurrentAdmin, services: ServicesDep) -> IssuedKeyView:
    """A unit's system, with its first key and its webhook secret (both shown once)."""
    issued = exchange_units.register(session, admin, unit_id=body.id, name=body.name, team_id=body.team_id,
                                     webhook_url=body.webhook_url, now=services.clock())
    return IssuedKeyView(unit=unit_view(issued.unit), key=issued.key, webhook_secret=issued.unit.webhook_secret)


@router.post("/{unit_id}/key", response_model=IssuedKeyView)
def rotate_key(unit_id: str, session: Transaction, admin: CurrentAdmin, services: ServicesDep) -> IssuedKeyView:
    """A new key; the old one is refused from now on."""
    issued = exchange_units.rotate(session, admin, unit_id, services.clock())
    return IssuedKeyView(unit=unit_view(issued.unit), key=issued.key, webhook_secret=issued.unit.webhook_secret)


@router.put("/{unit_id}/webhook", response_model=UnitView)
def set_webhook(unit_id: str, body: WebhookSet, session: Transaction, admin: CurrentAdmin,
                services: ServicesDep) -> UnitView:
    return unit_view(exchange_units.set_webhook(session, admin, unit_id, body.webhook_url, services.clock()))


@router.get("/{unit_id}/messages", response_model=list[MessageView])
def list_messages(unit_id: str, session: DbSession, admin: CurrentAdmin) -> list[MessageView]:
    """The results owed or pushed to the unit, newest first."""
    exchange_units.unit_of(session, unit_id)
    return [MessageView(id=m.id, seq=m.seq, case_id=m.case_id, event=m.event, created_at=m.created_at,
                        attempts=m.attempts, delivered_at=m.delivered_at, last_error=m.last_error)
            for m in messages_of(session, unit_id)]


@router.post("/{unit_id}/messages/{message_id}/resend", status_code=202)
def resend(unit_id: str, message_id: str, admin: CurrentAdmin, services: ServicesDep) -> dict:
    """Send a message again now (the receiver ignores a seq it has applied)."""
    delivery = result_delivery.resend(services, message_id, admin.username)
    if delivery is None:
        return {"status": None, "error": "排队等待前序消息送达后发送"}
    return {"status": delivery.status, "error": delivery.error}
