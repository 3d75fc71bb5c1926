"""The steps of a cross-province check (R36) that reach the other agency's server: submit upward, confirm,
answer; and the feed-back and the list each level sees. The API (api/cross_routes.py) and the console
(console/cross_pages.py) both call these, so the rules, the signed packages and the audit entries are one.
A step that must reach the other server is committed by the caller only once the other server took it."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session

from schemas.exchange import CrossStatus
from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.office import cross_province
from sync_server.services import Services
from sync_server.tables import Account, CrossProvinceCheck, ExchangePeer, queries
from sync_server.transparency.agency_key import load_agency_key

PACKAGES = "/exchange/v1/cross-province/packages"


def send(session: Session, services: Services, org_id: str, payload: dict) -> cross_province.SignedPackage:
    """Sign the payload with this agency's key and post it to the other agency's server; a problem unless it
    answered 2xx."""
    peer = session.get(ExchangePeer, org_id)
    if peer is None:
        raise ProblemError(Code.VALIDATION, f"机构 {org_id} 的服务器未登记，请管理员先登记对方服务器及其公钥")
    import httpx  # here, not at the server's start (module docstring of documents/result_delivery.py)

    package = cross_province.sign_package(load_agency_key(services.settings), payload)
    try:
        answer = httpx.post(peer.base_url + PACKAGES, json=package.model_dump(mode="json"), timeout=20)
    except httpx.HTTPError as e:
        raise ProblemError(Code.SERVER_BUSY, f"对方服务器无法连接：{type(e).__name__}，未发送") from e
    if answer.status_code >= 300:
        raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID,
                           f"对方服务器未接收：HTTP {answer.status_code} {answer.text[:200]}")
    return package


def overdue(row: CrossProvinceCheck, today: date) -> bool:
    """Past a deadline still open: not submitted by submit_due, or (lower side) not fed back by feedback_due."""
    return (row.status == CrossStatus.NEEDED.value and today > row.submit_due) or (
        row.status == CrossStatus.ANSWERED.value and row.side == cross_province.LOWER
        and row.feedback_due is not None and today > row.feedback_due)


def check_of(session: Session, check_id: str) -> CrossProvinceCheck:
    row = session.get(CrossProvinceCheck, check_id)
    if row is None:
        raise ProblemError(Code.NOT_FOUND, check_id)
    return row


def visible_checks(session: Session, account: Account) -> list[CrossProvinceCheck]:
    """The checks of the caller's agency, asked or asked of it (administrators: all at this level)."""
    if account.role not in ("reviewer", "admin"):
        raise ProblemError(Code.FORBIDDEN, "仅核查机构工作人员可以查看跨省核查")
    return [r for r in cross_province.checks(session)
            if account.role == "admin" or account.org_id in (r.from_agency, r.to_agency)]


def submit(session: Session, services: Services, account: Account, check_id: str) -> CrossProvinceCheck:
    """The lower agency sends the request to the higher agency's server as a signed package."""
    row = check_of(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    require_post(account, Post.INFORMATION_EXCHANGE)
    if row.side != cross_province.LOWER or row.status != "needed":
        raise ProblemError(Code.INTAKE_STATE, "该跨省核查已报送", status=row.status)
    now = services.clock()
    package = send(session, services, row.to_agency, cross_province.request_payload(row, now))
    cross_province.mark_submitted(session, account, row, package, now)
    return row


def confirm(session: Session, services: Services, account: Account, check_id: str) -> CrossProvinceCheck:
    """The higher agency confirms it takes the check; the lower agency's server is told."""
    row = check_of(session, check_id)
    payload = cross_province.higher_step(session, account, row, "confirmed", "", services.clock())
    send(session, services, row.from_agency, payload)
    return row


def answer(session: Session, services: Services, account: Account, check_id: str, text: str) -> CrossProvinceCheck:
    """The higher agency returns the result to the lower agency's server (signed)."""
    row = check_of(session, check_id)
    payload = cross_province.higher_step(session, account, row, "answered", text, services.clock())
    row.answer_package = send(session, services, row.from_agency, payload).model_dump_json()
    return row


def feed_back(session: Session, services: Services, account: Account, check_id: str) -> CrossProvinceCheck:
    """The lower agency feeds the returned result into the case (within 3 working days of its arrival)."""
    row = check_of(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    cross_province.feed_back(session, account, row, services.clock())
    return row
