"""Delivering the outbox (documents/result_push.py) to the units' webhooks, with back-off.

Once and in order: per unit only the lowest undelivered `seq` is tried, so message n+1 never overtakes n.
A message is claimed before it is sent (a conditional update of its next attempt time: of two workers or
two server processes, one wins), the answer is kept in exchange_deliveries whatever it was, and a 2xx marks
the message delivered. A receiver that is down gets the same message again after 1, 2, 4 … times
`exchange_retry_base_s`, at most `exchange_retry_max_s` apart; nothing else of that unit's is sent first.
If the process dies between the receiver's 2xx and our commit, the message goes again: the receiver keeps
the last seq it applied (docs/EXCHANGE.md), which makes the repeat harmless."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from schemas.exchange import EVENT_HEADER, SEQ_HEADER, SIGNATURE_HEADER
from schemas.problems import Code, ProblemError
from sync_server.documents.result_push import signature_header
from sync_server.services import Services
from sync_server.tables import ExchangeDelivery, ExchangeMessage, ExchangeUnit
from sync_server.transparency import audit

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)  # a claimed message is not tried by another worker for this long


def http_client() -> httpx.Client:
    """The client deliveries go out with. httpx loads here, at the first delivery, not at the server's
    start: its import brings rich, click and pygments (40 ms of a 1.5 s start)."""
    import httpx

    return httpx.Client(follow_redirects=False)


def backoff(attempts: int, base_s: float, cap_s: float) -> timedelta:
    """The wait after the n-th failed attempt: base, 2·base, 4·base … at most cap."""
    return timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempts - 1)))


def due_heads(session: Session, now: datetime) -> list[ExchangeMessage]:
    """Each unit's first undelivered message, when its next attempt is due."""
    heads = (select(ExchangeMessage.unit_id, func.min(ExchangeMessage.seq).label("seq"))
             .where(col(ExchangeMessage.delivered_at).is_(None)).group_by(col(ExchangeMessage.unit_id)).subquery())
    query = select(ExchangeMessage).join(heads, (col(ExchangeMessage.unit_id) == heads.c.unit_id)
                                         & (col(ExchangeMessage.seq) == heads.c.seq))
    return [m for m in session.exec(query) if m.next_attempt_at <= now]


def _claim(session: Session, message: ExchangeMessage, now: datetime) -> bool:
    result = session.execute(update(ExchangeMessage).where(
        col(ExchangeMessage.id) == message.id, col(ExchangeMessage.next_attempt_at) == message.next_attempt_at,
        col(ExchangeMessage.delivered_at).is_(None)).values(next_attempt_at=now + LEASE))
    session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def attempt(services: Services, message_id: str, client: httpx.Client, by: str = "worker") -> ExchangeDelivery:
    """Send one message now and keep what happened (the caller has claimed it or is re-sending it)."""
    import httpx

    settings = services.settings
    with services.session() as session:
        message = session.get(ExchangeMessage, message_id)
        if message is None:
            raise ProblemError(Code.NOT_FOUND, message_id)
        unit = session.get(ExchangeUnit, message.unit_id)
        assert unit is not None
        now = services.clock()
        body = message.body.encode("utf-8")
        status, error = 0, ""
        if not unit.webhook_url:
            error = "未设置回调地址"
        else:
            headers = {"Content-Type": "application/json", EVENT_HEADER: message.event, SEQ_HEADER: str(message.seq),
                       SIGNATURE_HEADER: signature_header(unit.webhook_secret, body, int(now.timestamp()))}
            try:
                status = client.post(unit.webhook_url, content=body, headers=headers, timeout=10).status_code
                error = "" if 200 <= status < 300 else f"回调地址答复 HTTP {status}"
            except httpx.HTTPError as e:
                error = f"{type(e).__name__}: {e}"[:300]
        delivery = ExchangeDelivery(id=f"xd-{uuid.uuid4().hex[:16]}", message_id=message.id, at=now, status=status,
                                    error=error, by=by)
        session.add(delivery)
        if not error:
            message.delivered_at = message.delivered_at or now
            message.last_error = ""
            audit.log(session, "exchange.result_delivered", now, by, message.case_id, subject=message.id,
                      unit_id=unit.id, seq=message.seq, status=status,
                      body_sha256=hashlib.sha256(body).hexdigest())
        elif message.delivered_at is None:
            message.attempts += 1
            message.last_error = error
            message.next_attempt_at = now + backoff(message.attempts, settings.exchange_retry_base_s,
                                                    settings.exchange_retry_max_s)
        session.add(message)
        session.commit()
        session.refresh(delivery)
        return delivery


def deliver_due(services: Services, client: httpx.Client) -> int:
    """One pass: try each unit's due head once; how many were delivered."""
    delivered = 0
    with services.session() as session:
        heads = due_heads(session, services.clock())
        claimed = [m.id for m in heads if _claim(session, m, services.clock())]
    for message_id in claimed:
        delivered += not attempt(services, message_id, client).error
    return delivered


def resend(services: Services, message_id: str, actor: str,
           client: httpx.Client | None = None) -> ExchangeDelivery | None:
    """The console's 重新发送: a delivered message (or the unit's head) goes now; a message behind an
    undelivered one is only made due, so the order still holds (None: the worker will send it)."""
    with services.session() as session:
        message = session.get(ExchangeMessage, message_id)
        if message is None:
            raise ProblemError(Code.NOT_FOUND, message_id)
        earlier = session.exec(select(ExchangeMessage).where(
            ExchangeMessage.unit_id == message.unit_id, col(ExchangeMessage.seq) < message.seq,
            col(ExchangeMessage.delivered_at).is_(None))).first()
        audit.log(session, "exchange.resend_requested", services.clock(), actor, message.case_id, subject=message.id,
                  unit_id=message.unit_id, seq=message.seq)
        if message.delivered_at is None and earlier is not None:
            message.next_attempt_at = services.clock()
            session.add(message)
            session.commit()
            return None
        session.commit()
    with contextlib.nullcontext(client) if client is not None else http_client() as http:
        return attempt(services, message_id, http, by=f"console:{actor}")


async def periodically(services: Services, deliver: Callable[[Services, httpx.Client], int], what: str) -> None:
    """A background delivery worker of a server process (started in create_app's lifespan): a pass every
    `exchange_poll_s`, the first that long after the start, which is then not slowed by it. Used for the
    units' results (here) and the cross-province packages (office/cross_outbox.py)."""
    await asyncio.sleep(services.settings.exchange_poll_s)
    lazy = ClientOnFirstUse()
    try:
        while True:
            try:
                await asyncio.to_thread(deliver, services, cast("httpx.Client", lazy))
            except Exception:  # a database hiccup must not end the worker; the next pass retries
                log.exception("%s pass failed", what)
            await asyncio.sleep(services.settings.exchange_poll_s)
    finally:
        lazy.close()


class ClientOnFirstUse:
    """The workers' client, made when a pass first sends something: a server with nothing to deliver never
    imports httpx nor loads the CA bundle for it (issue 19: 60-90 ms of CPU per process, counted in the
    first visits)."""

    def __init__(self) -> None:
        self.made: httpx.Client | None = None

    def __getattr__(self, name: str) -> Any:
        if self.made is None:
            self.made = http_client()
        return getattr(self.made, name)

    def close(self) -> None:
        if self.made is not None:
            self.made.close()


async def deliver_periodically(services: Services) -> None:
    """The worker of the units' results."""
    await periodically(services, deliver_due, "exchange delivery")
