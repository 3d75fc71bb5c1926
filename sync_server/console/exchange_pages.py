"""Console page of the exchange (issue 20), for administrators: the entrusting units' systems with their
key (prefix and date only: a new key is shown once, on the page that made it), their webhook, every result
message and each delivery attempt, with 重新发送; and the cross-province checks at this level (R36) with
their deadlines. Same service functions as the API (office/exchange_units.py, documents/result_delivery.py)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date, beijing_text
from schemas.exchange import CROSS_STATUS_NAMES, CrossStatus
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import RequireStaff
from sync_server.console.templating import page
from sync_server.documents import result_delivery
from sync_server.documents.result_push import messages_of
from sync_server.office import cross_province, cross_steps, exchange_units
from sync_server.services import Services
from sync_server.tables import Account, ExchangeDelivery, Team

router = APIRouter(prefix="/console", include_in_schema=False)


def _deliveries(session: Session, message_ids: list[str]) -> dict[str, list[ExchangeDelivery]]:
    out: dict[str, list[ExchangeDelivery]] = {m: [] for m in message_ids}
    if message_ids:
        rows = session.exec(select(ExchangeDelivery).where(col(ExchangeDelivery.message_id).in_(message_ids))
                            .order_by(col(ExchangeDelivery.at)))
        for d in rows:
            out[d.message_id].append(d)
    return out


def _page(account: Account, session: Session, services: Services, error: str = "", notice: str = "",
          new_key: str = "", status: int = 200) -> Response:
    units = exchange_units.units(session)
    messages = {u.id: messages_of(session, u.id, limit=50) for u in units}
    deliveries = _deliveries(session, [m.id for ms in messages.values() for m in ms])
    today = beijing_date(services.clock())
    checks = [(c, CROSS_STATUS_NAMES[CrossStatus(c.status)], cross_steps.overdue(c, today))
              for c in cross_province.checks(session)]
    return page("exchange.html", status=status, staff=public(account), units=units, messages=messages,
                deliveries=deliveries, checks=checks, error=error, notice=notice, new_key=new_key,
                teams=list(session.exec(select(Team).order_by(col(Team.id)))), when=beijing_text)


def _forbidden(account: Account) -> Response:
    return page("error.html", status=403, staff=public(account), message=chinese_message(Code.FORBIDDEN))


@router.get("/exchange")
def exchange(account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if account.role != AccountRole.ADMIN.value:
        return _forbidden(account)
    return _page(account, session, services)


@router.post("/exchange/{action}")
async def exchange_action(action: str, request: Request, account: RequireStaff, session: DbSession,
                          services: ServicesDep) -> Response:
    if account.role != AccountRole.ADMIN.value:
        return _forbidden(account)
    async with request.form() as form:
        fields = {k: str(v) for k, v in form.items()}
    now, new_key, notice = services.clock(), "", ""
    try:
        if action == "register":
            issued = exchange_units.register(session, account, unit_id=fields.get("id", "").strip(),
                                             name=fields.get("name", "").strip(), team_id=fields.get("team_id", ""),
                                             webhook_url=fields.get("webhook_url", "").strip(), now=now)
            new_key, notice = issued.key, f"已登记 {issued.unit.name}；回调签名密钥：{issued.unit.webhook_secret}"
        elif action == "rotate":
            issued = exchange_units.rotate(session, account, fields.get("unit_id", ""), now)
            new_key, notice = issued.key, f"{issued.unit.name} 的接口密钥已更换，旧密钥即刻失效"
        elif action == "webhook":
            unit = exchange_units.set_webhook(session, account, fields.get("unit_id", ""),
                                              fields.get("webhook_url", "").strip(), now)
            notice = f"{unit.name} 的回调地址已更新"
        elif action in ("deactivate", "activate"):
            unit = exchange_units.set_active(session, account, fields.get("unit_id", ""), action == "activate", now)
            notice = f"{unit.name} 的接口已{'恢复' if unit.active else '停用，其密钥即刻失效'}"
        elif action == "resend":
            session.commit()
            delivery = result_delivery.resend(services, fields.get("message_id", ""), account.username)
            notice = "已排队，待前序消息送达后发送" if delivery is None else (
                f"已重新发送：HTTP {delivery.status}" if not delivery.error else f"重新发送失败：{delivery.error}")
        else:
            raise ProblemError(Code.NOT_FOUND, action)
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _page(account, session, services, error=chinese_message(problem.code.value, problem.detail),
                     status=problem.problem().status)
    return _page(account, session, services, notice=notice, new_key=new_key)
