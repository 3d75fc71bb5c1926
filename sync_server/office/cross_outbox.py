"""The outbox of cross-province packages (R36, §4.2.2): a step is taken when the clerk takes it, whether or
not the other agency's server is up. A county's link to the city is often down for hours, and the
3-working-day clocks must not hang on it.

The step's service (office/cross_steps.py) signs the package with the agency key at that moment, writes the
step's audit entry, changes the check's row and puts the package here, all in one transaction. Once that is
committed the package is tried once in the same request with a short timeout (`try_first`); whatever is
not taken then is sent by the background worker of every server process (`deliver_periodically`, started
in create_app's lifespan), as documents/result_delivery.py sends the units' results:

- a package is claimed before it is sent (a conditional update of its next attempt time: of two workers or
  two server processes, one wins); a fresh package is born claimed by its own request for LEASE;
- per receiving agency only the lowest waiting `seq` is tried, so package n+1 never overtakes n;
- an attempt that found the server down or failing (no answer, 5xx, 408, 429) is tried again after 1, 2,
  4 … × `exchange_retry_base_s`, at most `exchange_retry_max_s` apart;
- an answer 4xx is a refusal (a wrong registration, a key the other side does not know): the package stops
  and says what the other side answered. It leaves the line, so one refused package does not hold every
  other check with that agency; but the later packages of the SAME check wait behind it (`held`, state
  HELD): the receiver ignores a step older than the one it holds, so an answer that overtook its refused
  confirmation would leave the confirmation unrecorded there for ever. An administrator re-sends the check
  once the registration is fixed (`resend`): its refused package goes, then the ones held behind it, in order;
- every attempt is kept (cross_deliveries); delivered, refused and re-sent are in the audit log.

If the process dies between the other server's 2xx and our commit, the package goes again: the receiving
side (office/cross_province.receive) answers 2xx to a package it has already applied and applies nothing."""
from __future__ import annotations

import hashlib
import logging
import re
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from schemas.beijing import beijing_text
from schemas.exchange import CrossPackageView, PackageState, SignedPackage
from schemas.problems import Code, ProblemError
from sync_server.documents.result_delivery import backoff, http_client, periodically
from sync_server.services import Services
from sync_server.tables import Account, CrossDelivery, CrossPackage, CrossProvinceCheck, ExchangePeer
from sync_server.tables.counters import next_value
from sync_server.transparency import audit

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
PACKAGES = "/exchange/v1/cross-province/packages"
COUNTER = "cross_outbox"
LEASE = timedelta(seconds=60)  # a claimed package is not tried by another worker for this long
FIRST_TRY_S = 5.0  # the try in the clerk's own request: short, the worker does the rest
WORKER_TRY_S = 15.0
TRANSIENT = frozenset({408, 425, 429})  # 4xx answers that mean "later", not "no"


def enqueue(session: Session, row: CrossProvinceCheck, peer_id: str, package: SignedPackage, actor: str,
            now: datetime) -> CrossPackage:
    """Keep the signed package for the other agency's server, in the step's own transaction (not committed here)."""
    if session.get(ExchangePeer, peer_id) is None:
        raise ProblemError(Code.VALIDATION, f"机构 {peer_id} 的服务器未登记，请管理员先登记对方服务器及其公钥")
    body = package.model_dump_json()
    kept = CrossPackage(id=f"xo-{uuid.uuid4().hex[:16]}", seq=next_value(session, COUNTER), check_id=row.id,
                        peer_id=peer_id, kind=str(package.payload.get("type", "")), body=body, signed_at=now,
                        signed_by=actor, next_attempt_at=now + LEASE)  # held by the step's own request until try_first
    session.add(kept)
    audit.log(session, "cross.package_signed", now, actor, row.case_id, subject=kept.id, check_id=row.id,
              peer=peer_id, step=kept.kind, seq=kept.seq, body_sha256=hashlib.sha256(body.encode()).hexdigest())
    return kept


def _held() -> Any:
    """SQL: the package waits behind a refused, undelivered package of the same check (a check's steps arrive
    in step order)."""
    refused = aliased(CrossPackage)
    return exists().where(col(refused.check_id) == col(CrossPackage.check_id), col(refused.seq) < col(CrossPackage.seq),
                          col(refused.refused_at).is_not(None), col(refused.delivered_at).is_(None))


def _in_line() -> tuple[Any, ...]:
    """SQL: the package is in its agency's line: neither delivered, nor refused, nor held behind a refusal."""
    return col(CrossPackage.delivered_at).is_(None), col(CrossPackage.refused_at).is_(None), ~_held()


def _earlier_waiting(session: Session, package: CrossPackage) -> bool:
    """Held behind a refused package of its check, or behind an earlier package in its agency's line."""
    ahead = select(CrossPackage.id).where(*_in_line(), CrossPackage.peer_id == package.peer_id,
                                          col(CrossPackage.seq) < package.seq)
    refused_before = select(CrossPackage.id).where(
        CrossPackage.check_id == package.check_id, col(CrossPackage.seq) < package.seq,
        col(CrossPackage.refused_at).is_not(None), col(CrossPackage.delivered_at).is_(None))
    return session.exec(ahead).first() is not None or session.exec(refused_before).first() is not None


def _peer_answer(answer: httpx.Response) -> str:
    """The other server's refusal as a person reads it: status, problem code and its Chinese detail."""
    try:
        problem = answer.json()
        told = f"{problem.get('code', '')}：{problem.get('detail') or problem.get('title') or ''}"
    except (ValueError, AttributeError):
        told = answer.text
    return re.sub(r"[\x00-\x1f\ud800-\udfff]", " ", f"HTTP {answer.status_code} {told}")[:300]


def attempt(services: Services, package_id: str, client: httpx.Client, by: str = "worker",
            timeout: float = WORKER_TRY_S) -> CrossDelivery | None:
    """Send one package now and keep what happened (the caller has claimed it); None if already delivered."""
    import httpx

    settings = services.settings
    with services.session() as session:
        package = session.get(CrossPackage, package_id)
        if package is None:
            raise ProblemError(Code.NOT_FOUND, package_id)
        if package.delivered_at is not None:
            return None
        peer = session.get(ExchangePeer, package.peer_id)
        status, error, refused = 0, "", False
        if peer is None:
            error = "对方服务器未登记"
        else:
            try:
                answer = client.post(peer.base_url + PACKAGES, content=package.body.encode("utf-8"), timeout=timeout,
                                     headers={"Content-Type": "application/json"})
                status = answer.status_code
                if not 200 <= status < 300:
                    error, refused = _peer_answer(answer), 400 <= status < 500 and status not in TRANSIENT
            except httpx.HTTPError as e:
                error = f"无法连接：{type(e).__name__} {e}"[:300]
        now = services.clock()
        delivery = CrossDelivery(id=f"xd-{uuid.uuid4().hex[:16]}", package_id=package.id, at=now, status=status,
                                 error=error, by=by)
        session.add(delivery)
        package.last_status, package.last_error = status, error
        check = session.get(CrossProvinceCheck, package.check_id)
        case_id = check.case_id if check else None
        if not error:
            package.delivered_at = now
            audit.log(session, "cross.package_delivered", now, by, case_id, subject=package.id,
                      check_id=package.check_id, peer=package.peer_id, seq=package.seq, status=status)
        else:
            package.attempts += 1
            if refused:
                package.refused_at = now
                audit.log(session, "cross.package_refused", now, by, case_id, subject=package.id,
                          check_id=package.check_id, peer=package.peer_id, seq=package.seq, status=status,
                          answer=error)
            else:
                package.next_attempt_at = now + backoff(package.attempts, settings.exchange_retry_base_s,
                                                        settings.exchange_retry_max_s)
        session.add(package)
        session.commit()
        session.refresh(delivery)
        return delivery


def try_first(services: Services, package_id: str, by: str) -> CrossPackage:
    """Right after the step's commit: send its package now (short timeout) unless an earlier package to the same
    agency is still waiting; then it is only made due and waits its turn. The package as it now stands."""
    with services.session() as session:
        package = session.get(CrossPackage, package_id)
        if package is None:
            raise ProblemError(Code.NOT_FOUND, package_id)
        waiting = _earlier_waiting(session, package)
        if waiting:
            package.next_attempt_at = services.clock()
            session.add(package)
            session.commit()
    if not waiting:
        with http_client() as client:
            attempt(services, package_id, client, by=by, timeout=FIRST_TRY_S)
    with services.session() as session:
        fresh = session.get(CrossPackage, package_id)
        assert fresh is not None
        return fresh


def due_heads(session: Session, now: datetime) -> list[CrossPackage]:
    """Each agency's first package in line (neither delivered, refused nor held behind a refused package of its
    check), when its next attempt is due."""
    heads = (select(CrossPackage.peer_id, func.min(CrossPackage.seq).label("seq")).where(*_in_line())
             .group_by(col(CrossPackage.peer_id)).subquery())
    query = select(CrossPackage).join(heads, (col(CrossPackage.peer_id) == heads.c.peer_id)
                                      & (col(CrossPackage.seq) == heads.c.seq))
    return [p for p in session.exec(query) if p.next_attempt_at <= now]


def _claim(session: Session, package: CrossPackage, now: datetime) -> bool:
    result = session.execute(update(CrossPackage).where(
        col(CrossPackage.id) == package.id, col(CrossPackage.next_attempt_at) == package.next_attempt_at,
        col(CrossPackage.delivered_at).is_(None), col(CrossPackage.refused_at).is_(None))
        .values(next_attempt_at=now + LEASE))
    session.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


def deliver_due(services: Services, client: httpx.Client) -> int:
    """One pass: try each agency's due head once; how many were delivered."""
    with services.session() as session:
        claimed = [p.id for p in due_heads(session, services.clock()) if _claim(session, p, services.clock())]
    delivered = 0
    for package_id in claimed:
        done = attempt(services, package_id, client)
        delivered += done is not None and not done.error
    return delivered


def resend(services: Services, actor: Account, check_id: str) -> CrossPackage:
    """重新发送 (administrators): the check's first undelivered package, refused or still waiting, goes now, then
    each one held behind it, in step order, while they are taken; behind an earlier waiting package to the same
    agency a package is only made due, so the order still holds. The last package tried, as it now stands."""
    if actor.role != "admin":
        raise ProblemError(Code.FORBIDDEN, "仅管理员可以重新发送跨省核查数据包")
    with services.session() as session:
        check = session.get(CrossProvinceCheck, check_id)
        if check is None:
            raise ProblemError(Code.NOT_FOUND, check_id)
        kept = check_packages(session, [check_id]).get(check_id, [])
        if not kept:
            raise ProblemError(Code.INTAKE_STATE, f"跨省核查 {check_id} 尚无本机构签发的数据包")
        undelivered = [p.id for p in kept if p.delivered_at is None]
        if not undelivered:
            raise ProblemError(Code.INTAKE_STATE, "该数据包已送达对方服务器，无需重新发送")
        case_id = check.case_id
    for package_id in undelivered:
        package = _resend_one(services, actor, check_id, case_id, package_id)
        if package.delivered_at is None:
            break
    return package


def _resend_one(services: Services, actor: Account, check_id: str, case_id: str | None,
                package_id: str) -> CrossPackage:
    with services.session() as session:
        package = session.get(CrossPackage, package_id)
        assert package is not None
        now = services.clock()
        audit.log(session, "cross.package_resent", now, actor.username, case_id,
                  subject=package.id, check_id=check_id, peer=package.peer_id, seq=package.seq,
                  was_refused=package.refused_at is not None, answer=package.last_error)
        package.refused_at = None
        package.next_attempt_at = now + LEASE  # held by this re-send (made due below if it must wait)
        session.add(package)
        session.commit()
    return try_first(services, package_id, by=f"console:{actor.username}")


def check_packages(session: Session, check_ids: list[str]) -> dict[str, list[CrossPackage]]:
    """Per check, the packages this server signed for it, in step order (one statement; read afresh, since the
    caller's session may hold a package another session has sent since)."""
    if not check_ids:
        return {}
    kept: dict[str, list[CrossPackage]] = {}
    for p in session.exec(select(CrossPackage).where(col(CrossPackage.check_id).in_(check_ids))
                          .order_by(col(CrossPackage.seq)).execution_options(populate_existing=True)):
        kept.setdefault(p.check_id, []).append(p)
    return kept


def last_packages(session: Session, check_ids: list[str]) -> dict[str, CrossPackage]:
    """Per check, the last package this server signed for it (by seq)."""
    return {check_id: kept[-1] for check_id, kept in check_packages(session, check_ids).items()}


def current(kept: list[CrossPackage]) -> CrossPackageView | None:
    """The check's last package and its delivery, held when a refused earlier package of the check blocks it."""
    if not kept:
        return None
    last = kept[-1]
    behind = next((p for p in kept[:-1] if p.refused_at is not None and p.delivered_at is None), None)
    return describe(last, behind if last.delivered_at is None else None)


def check_views(session: Session, check_ids: list[str]) -> dict[str, CrossPackageView]:
    """Per check, `current` (one statement for all of them)."""
    return {check_id: view for check_id, kept in check_packages(session, check_ids).items()
            if (view := current(kept)) is not None}


STEP_NAMES = {"request": "报送", "confirmed": "确认", "answered": "结果"}


def describe(package: CrossPackage | None, behind: CrossPackage | None = None) -> CrossPackageView | None:
    """The package's delivery as the API and the console show it; `behind`: the refused package of its check
    it waits behind."""
    if package is None:
        return None
    if package.delivered_at is not None:
        state, text = PackageState.DELIVERED, f"已送达（{beijing_text(package.delivered_at)}）"
    elif package.refused_at is not None:
        state, text = PackageState.REFUSED, f"被拒收（对方答复 {package.last_error}）"
    elif behind is not None:
        state = PackageState.HELD
        text = (f"待发送（排在本核查被拒收的{STEP_NAMES.get(behind.kind, behind.kind)}数据包 {behind.id} 之后："
                f"同一跨省核查的各步须按顺序送达，对方答复 {behind.last_error}；管理员重新发送后依次发出）")
    else:
        state = PackageState.PENDING
        text = f"待发送（已尝试 {package.attempts} 次，下次 {beijing_text(package.next_attempt_at)}）"
    return CrossPackageView(id=package.id, kind=package.kind, state=state, signed_at=package.signed_at,
                            attempts=package.attempts,
                            next_attempt_at=package.next_attempt_at if state == PackageState.PENDING else None,
                            delivered_at=package.delivered_at, refused_at=package.refused_at,
                            peer_answer=package.last_error, text=text,
                            behind=behind.id if state == PackageState.HELD and behind else None)


async def deliver_periodically(services: Services) -> None:
    """The worker of the cross-province packages (documents/result_delivery.periodically)."""
    await periodically(services, deliver_due, "cross-province delivery")

