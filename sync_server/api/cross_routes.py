"""Cross-province checks (R36): the staff's routes under /api/v1 and the one route another agency's
server posts its signed packages to (/exchange/v1/cross-province/packages). Thin: the work is in
office/cross_province.py; a step that must reach the other server is committed only once it has."""
from __future__ import annotations

import httpx
from fastapi import APIRouter
from pydantic import Field
from sqlmodel import Session

from schemas.exchange import CrossAnswer, CrossCheckView, NewCrossCheck, SignedPackage
from schemas.problems import Code, ProblemError
from schemas.text import ShortText, WireModel
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.office import cross_province
from sync_server.services import Services
from sync_server.tables import CrossProvinceCheck, ExchangePeer, queries
from sync_server.transparency.agency_key import load_agency_key

router = APIRouter(tags=["cross-province"])
package_router = APIRouter(prefix="/cross-province", tags=["exchange"])
PACKAGES = "/exchange/v1/cross-province/packages"


class PeerSet(WireModel):
    base_url: str = Field(pattern=r"^https?://[!-~]+$", max_length=300, description="对方服务器地址")
    public_key: str = Field(max_length=100, description="对方 agency_key.pub 第一行（Ed25519 公钥 base64）")


class ParentSet(WireModel):
    parent_id: ShortText | None = Field(default=None, description="上级机构（县→市→省）")


@package_router.post("/packages", response_model=CrossCheckView)
def receive_package(package: SignedPackage, session: Transaction, services: ServicesDep) -> CrossCheckView:
    """A request, confirmation or answer from another agency's server, signed with its agency key."""
    row = cross_province.receive(session, package, services.clock(), services.holidays(session))
    return cross_province.view(row)


def _send(session: Session, services: Services, org_id: str, payload: dict) -> SignedPackage:
    peer = session.get(ExchangePeer, org_id)
    if peer is None:
        raise ProblemError(Code.VALIDATION, f"机构 {org_id} 的服务器未登记，请管理员先登记对方服务器及其公钥")
    package = cross_province.sign_package(load_agency_key(services.settings), payload)
    try:
        answer = httpx.post(peer.base_url + PACKAGES, json=package.model_dump(mode="json"), timeout=20)
    except httpx.HTTPError as e:
        raise ProblemError(Code.SERVER_BUSY, f"对方服务器无法连接：{type(e).__name__}，未发送") from e
    if answer.status_code >= 300:
        raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID,
                           f"对方服务器未接收：HTTP {answer.status_code} {answer.text[:200]}")
    return package


def _row(session: Session, check_id: str) -> CrossProvinceCheck:
    row = session.get(CrossProvinceCheck, check_id)
    if row is None:
        raise ProblemError(Code.NOT_FOUND, check_id)
    return row


@router.post("/cases/{case_id}/cross-province", response_model=CrossCheckView, status_code=201)
def need_check(case_id: str, body: NewCrossCheck, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> CrossCheckView:
    """信息交换岗: the case needs a check outside the province; 3 working days to submit it upward."""
    case = queries.visible_case(session, account, case_id)
    row = cross_province.request_check(session, account, case, body, services.clock(), services.holidays(session))
    return cross_province.view(row)


@router.get("/cross-province", response_model=list[CrossCheckView])
def list_checks(session: DbSession, account: CurrentAccount) -> list[CrossCheckView]:
    """The cross-province checks of the caller's agency (administrators: all at this level), asked or asked
    of it, with their deadlines."""
    if account.role not in ("reviewer", "admin"):
        raise ProblemError(Code.FORBIDDEN, "仅核查机构工作人员可以查看跨省核查")
    return [cross_province.view(r) for r in cross_province.checks(session)
            if account.role == "admin" or account.org_id in (r.from_agency, r.to_agency)]


@router.post("/cross-province/{check_id}/submit", response_model=CrossCheckView)
def submit_upward(check_id: str, session: Transaction, account: CurrentAccount,
                  services: ServicesDep) -> CrossCheckView:
    """Send the request to the higher agency's server as a signed package."""
    row = _row(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    cross_province.require_post(account, cross_province.Post.INFORMATION_EXCHANGE)
    if row.side != cross_province.LOWER or row.status != "needed":
        raise ProblemError(Code.INTAKE_STATE, "该跨省核查已报送", status=row.status)
    now = services.clock()
    package = _send(session, services, row.to_agency, cross_province.request_payload(row, now))
    cross_province.mark_submitted(session, account, row, package, now)
    return cross_province.view(row)


@router.post("/cross-province/{check_id}/confirm", response_model=CrossCheckView)
def confirm(check_id: str, session: Transaction, account: CurrentAccount, services: ServicesDep) -> CrossCheckView:
    """The higher agency confirms it takes the check; the lower agency's server is told."""
    row = _row(session, check_id)
    payload = cross_province.higher_step(session, account, row, "confirmed", "", services.clock())
    _send(session, services, row.from_agency, payload)
    return cross_province.view(row)


@router.post("/cross-province/{check_id}/answer", response_model=CrossCheckView)
def answer(check_id: str, body: CrossAnswer, session: Transaction, account: CurrentAccount,
           services: ServicesDep) -> CrossCheckView:
    """The higher agency returns the result to the lower agency's server (signed)."""
    row = _row(session, check_id)
    payload = cross_province.higher_step(session, account, row, "answered", body.answer, services.clock())
    package = _send(session, services, row.from_agency, payload)
    row.answer_package = package.model_dump_json()
    return cross_province.view(row)


@router.post("/cross-province/{check_id}/feed-back", response_model=CrossCheckView)
def feed_back(check_id: str, session: Transaction, account: CurrentAccount, services: ServicesDep) -> CrossCheckView:
    """The lower agency feeds the returned result into the case (within 3 working days of its arrival)."""
    row = _row(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    cross_province.feed_back(session, account, row, services.clock())
    return cross_province.view(row)


@router.put("/admin/exchange-peers/{org_id}", status_code=204)
def put_peer(org_id: str, body: PeerSet, session: Transaction, account: CurrentAccount, services: ServicesDep) -> None:
    """Administrators: another agency's server and its agency public key."""
    cross_province.register_peer(session, account, org_id, body.base_url, body.public_key, services.clock())


@router.put("/organisations/{org_id}/parent", status_code=204)
def put_parent(org_id: str, body: ParentSet, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> None:
    """Administrators: the organisation's higher agency (county → city → province)."""
    cross_province.set_parent(session, account, org_id, body.parent_id, services.clock())
