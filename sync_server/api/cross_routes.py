"""Cross-province checks (R36): the staff's routes under /api/v1 and the one route another agency's
server posts its signed packages to (/exchange/v1/cross-province/packages). Thin: the work is in
office/cross_province.py and office/cross_steps.py (the console calls the same). A step that must reach
the other server is committed here, not by `Transaction`: its package waits in the outbox
(office/cross_outbox.py) and is tried once right after the commit, so the answer says whether it arrived."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from pydantic import Field
from sqlmodel import Session

from schemas.exchange import CrossAnswer, CrossCheckView, NewCrossCheck, SignedPackage
from schemas.text import ShortText, WireModel
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.office import cross_outbox, cross_province, cross_steps
from sync_server.services import Services
from sync_server.tables import Account, CrossProvinceCheck, queries

router = APIRouter(tags=["cross-province"])
package_router = APIRouter(prefix="/cross-province", tags=["exchange"])
PACKAGES = cross_steps.PACKAGES


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


@router.post("/cases/{case_id}/cross-province", response_model=CrossCheckView, status_code=201)
def need_check(case_id: str, body: NewCrossCheck, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> CrossCheckView:
    """信息交换岗: the case needs a check outside the province; 3 working days to submit it upward."""
    case = queries.visible_case(session, account, case_id)
    row = cross_province.request_check(session, account, case, body, services.clock(), services.holidays(session))
    return cross_province.view(row)


def _with_packages(session: Session, rows: list[CrossProvinceCheck]) -> list[CrossCheckView]:
    packages = cross_outbox.check_views(session, [r.id for r in rows])
    return [cross_province.view(r, packages.get(r.id)) for r in rows]


def _taken(session: Session, services: Services, account: Account,
           step: Callable[[], cross_steps.Step]) -> CrossCheckView:
    """Commit the step (and its package) first, then try the package once: one commit for the step, as a
    `Transaction` would; a step that raised leaves nothing behind."""
    try:
        taken = step()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    row, _ = cross_steps.send_after_commit(services, taken, by=account.username)
    return _with_packages(session, [row])[0]


@router.get("/cross-province", response_model=list[CrossCheckView])
def list_checks(session: DbSession, account: CurrentAccount) -> list[CrossCheckView]:
    """The cross-province checks of the caller's agency (administrators: all at this level), asked or asked
    of it, with their deadlines and whether this server's last package of each was delivered."""
    return _with_packages(session, cross_steps.visible_checks(session, account))


@router.get("/cases/{case_id}/cross-province", response_model=list[CrossCheckView])
def case_checks(case_id: str, session: DbSession, account: CurrentAccount) -> list[CrossCheckView]:
    """The case's cross-province checks (agency staff who may see the case): the step, both deadlines and this
    server's last package of each (`package`: delivered, pending, refused, or held behind a refused one)."""
    queries.visible_case(session, account, case_id)
    cross_steps.visible_checks(session, account)  # agency staff only, as the list
    return _with_packages(session, cross_province.checks(session, case_id))


@router.post("/cross-province/{check_id}/submit", response_model=CrossCheckView)
def submit_upward(check_id: str, session: DbSession, account: CurrentAccount,
                  services: ServicesDep) -> CrossCheckView:
    """Send the request to the higher agency's server as a signed package: submitted now (the deadline is met
    by this act), delivered now or, if that server is down, by the outbox later (`package`)."""
    return _taken(session, services, account, lambda: cross_steps.submit(session, services, account, check_id))


@router.post("/cross-province/{check_id}/confirm", response_model=CrossCheckView)
def confirm(check_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> CrossCheckView:
    """The higher agency confirms it takes the check; the lower agency's server is told (now or later)."""
    return _taken(session, services, account, lambda: cross_steps.confirm(session, services, account, check_id))


@router.post("/cross-province/{check_id}/answer", response_model=CrossCheckView)
def answer(check_id: str, body: CrossAnswer, session: DbSession, account: CurrentAccount,
           services: ServicesDep) -> CrossCheckView:
    """The higher agency returns the result to the lower agency's server (signed; now or later)."""
    return _taken(session, services, account,
                  lambda: cross_steps.answer(session, services, account, check_id, body.answer))


@router.post("/cross-province/{check_id}/resend", response_model=CrossCheckView)
def resend(check_id: str, session: DbSession, account: CurrentAccount, services: ServicesDep) -> CrossCheckView:
    """Administrators: send the check's last package again now (refused, or still waiting), e.g. after the
    other agency's server or key was registered anew."""
    cross_outbox.resend(services, account, check_id)
    return _with_packages(session, [cross_steps.check_of(session, check_id)])[0]


@router.post("/cross-province/{check_id}/feed-back", response_model=CrossCheckView)
def feed_back(check_id: str, session: Transaction, account: CurrentAccount, services: ServicesDep) -> CrossCheckView:
    """The lower agency feeds the returned result into the case (within 3 working days of its arrival)."""
    return cross_province.view(cross_steps.feed_back(session, services, account, check_id))


@router.put("/admin/exchange-peers/{org_id}", status_code=204)
def put_peer(org_id: str, body: PeerSet, session: Transaction, account: CurrentAccount, services: ServicesDep) -> None:
    """Administrators: another agency's server and its agency public key."""
    cross_province.register_peer(session, account, org_id, body.base_url, body.public_key, services.clock())


@router.put("/organisations/{org_id}/parent", status_code=204)
def put_parent(org_id: str, body: ParentSet, session: Transaction, account: CurrentAccount,
               services: ServicesDep) -> None:
    """Administrators: the organisation's higher agency (county → city → province)."""
    cross_province.set_parent(session, account, org_id, body.parent_id, services.clock())
