"""What the console shows of a cross-province check beyond its row (R36, §4.2.2): each attempt at each of
its packages, from cross_deliveries (when, what the other server answered or why it could not be reached,
in Chinese, and who sent it: the step's own request, the worker, an administrator's 重新发送), and the
check as the case page shows it (the step, both deadlines with the overdue marked, the last package's
delivery). A clerk asked "why has the city not got it?" reads the answer here without the server's log.
Each reader is one statement for all the checks it is given, so the pages' statement counts stay flat."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.exchange import CROSS_STATUS_NAMES, CrossPackageView, CrossStatus
from sync_server.office import cross_outbox, cross_province
from sync_server.office.cross_outbox import STEP_NAMES, TRANSIENT
from sync_server.tables import CrossDelivery, CrossPackage, CrossProvinceCheck

# httpx's errors as a clerk reads them; the stored text keeps the exception's own words too
CONNECTION = {"ConnectError": "无法连接对方服务器（未开启或网络不通）", "ConnectTimeout": "连接对方服务器超时",
              "ReadTimeout": "对方服务器未在时限内答复", "WriteTimeout": "向对方服务器发送超时",
              "PoolTimeout": "连接对方服务器超时", "RemoteProtocolError": "对方服务器中途断开连接"}


@dataclass(frozen=True)
class Attempt:
    package_id: str
    step: str  # 报送 / 确认 / 结果
    at: datetime
    status: int  # the other server's HTTP status, 0 when it could not be reached
    outcome: str  # in Chinese
    detail: str  # the stored answer or error, as it was
    by: str  # in Chinese


def outcome(status: int, error: str) -> str:
    """One attempt's result in Chinese."""
    if not error:
        return f"对方已接收（HTTP {status}）"
    if status == 0:
        kind = error.removeprefix("无法连接：").split(" ", 1)[0]
        return CONNECTION.get(kind, "无法连接对方服务器" if error.startswith("无法连接") else error)
    if status >= 500 or status in TRANSIENT:
        return f"对方服务器暂时不能接收（HTTP {status}），将自动重发"
    return f"被拒收（HTTP {status}），不再自动重发"


def sender(by: str) -> str:
    if by == "worker":
        return "后台自动发送"
    if by.startswith("console:"):
        return f"控制台 {by.removeprefix('console:')}"
    return f"接口 {by}"


def attempts(session: Session, check_ids: list[str]) -> dict[str, list[Attempt]]:
    """Per check, every attempt at its packages, oldest first (one statement)."""
    if not check_ids:
        return {}
    rows = session.exec(select(CrossPackage.check_id, CrossPackage.kind, CrossDelivery)
                        .join(CrossDelivery, col(CrossDelivery.package_id) == col(CrossPackage.id))
                        .where(col(CrossPackage.check_id).in_(check_ids))
                        .order_by(col(CrossDelivery.at), col(CrossPackage.seq)))
    found: dict[str, list[Attempt]] = {}
    for check_id, kind, d in rows:
        found.setdefault(check_id, []).append(Attempt(
            package_id=d.package_id, step=STEP_NAMES.get(kind, kind), at=d.at, status=d.status,
            outcome=outcome(d.status, d.error), detail=d.error, by=sender(d.by)))
    return found


@dataclass(frozen=True)
class CaseCheck:
    """A check as the case page shows it."""

    check: CrossProvinceCheck
    step: str
    submit_late: bool  # not submitted by submit_due (still open and past it, or submitted after it)
    feedback_late: bool  # the same for the feed-back (lower side)
    package: CrossPackageView | None


def _late(done: datetime | None, due: date | None, today: date) -> bool:
    if due is None:
        return False
    return beijing_date(done) > due if done is not None else today > due


def case_checks(session: Session, case_id: str, today: date) -> list[CaseCheck]:
    """The case's checks (one statement) and their packages (one more, only when there are checks)."""
    rows = cross_province.checks(session, case_id)
    packages = cross_outbox.check_views(session, [r.id for r in rows])
    return [CaseCheck(check=r, step=CROSS_STATUS_NAMES[CrossStatus(r.status)],
                      submit_late=_late(r.submitted_at, r.submit_due, today),
                      feedback_late=r.side == cross_province.LOWER and r.status in ("answered", "fed_back")
                      and _late(r.fed_back_at, r.feedback_due, today),
                      package=packages.get(r.id)) for r in rows]
