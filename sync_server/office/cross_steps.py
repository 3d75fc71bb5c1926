"""The steps of a cross-province check (R36) that reach the other agency's server: submit upward, confirm,
answer; and the feed-back and the list each level sees. The API (api/cross_routes.py) and the console
(console/cross_pages.py) both call these, so the rules, the signed packages and the audit entries are one.
A step that must reach the other server is taken and recorded at once: its package, signed now, waits in the
outbox (office/cross_outbox.py) until that server takes it; the caller commits, then `send_after_commit`."""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from schemas.exchange import CrossStatus
from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.office import cross_outbox, cross_province
from sync_server.services import Services
from sync_server.tables import Account, CrossPackage, CrossProvinceCheck, queries
from sync_server.transparency.agency_key import load_agency_key

Step = tuple[CrossProvinceCheck, CrossPackage]  # a step taken, and the package it left in the outbox
PACKAGES = cross_outbox.PACKAGES


def _keep(session: Session, services: Services, row: CrossProvinceCheck, peer_id: str, payload: dict,
          actor: Account, now: datetime) -> tuple[cross_province.SignedPackage, CrossPackage]:
    """Sign the payload with this agency's key now and put it in the outbox, in the step's transaction."""
    package = cross_province.sign_package(load_agency_key(services.settings), payload)
    return package, cross_outbox.enqueue(session, row, peer_id, package, actor.username, now)


def send_after_commit(services: Services, step: Step, by: str) -> Step:
    """Once the caller has committed the step: try its package once now (office/cross_outbox.try_first)."""
    row, package = step
    return row, cross_outbox.try_first(services, package.id, by)


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


def submit(session: Session, services: Services, account: Account, check_id: str) -> Step:
    """The lower agency sends the request to the higher agency's server as a signed package; the 3 working
    days are met by this act (the package's time), whenever the other server takes it."""
    row = check_of(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    require_post(account, Post.INFORMATION_EXCHANGE)
    if row.side != cross_province.LOWER or row.status != "needed":
        raise ProblemError(Code.INTAKE_STATE, "该跨省核查已报送", status=row.status)
    now = services.clock()
    package = cross_province.sign_package(load_agency_key(services.settings), cross_province.request_payload(row, now))
    cross_province.mark_submitted(session, account, row, package, now)
    return row, cross_outbox.enqueue(session, row, row.to_agency, package, account.username, now)


def confirm(session: Session, services: Services, account: Account, check_id: str) -> Step:
    """The higher agency confirms it takes the check; the lower agency's server is told."""
    row = check_of(session, check_id)
    now = services.clock()
    payload = cross_province.higher_step(session, account, row, "confirmed", "", now)
    return row, _keep(session, services, row, row.from_agency, payload, account, now)[1]


def answer(session: Session, services: Services, account: Account, check_id: str, text: str) -> Step:
    """The higher agency returns the result to the lower agency's server (signed)."""
    row = check_of(session, check_id)
    now = services.clock()
    payload = cross_province.higher_step(session, account, row, "answered", text, now)
    package, kept = _keep(session, services, row, row.from_agency, payload, account, now)
    row.answer_package = package.model_dump_json()
    return row, kept


def feed_back(session: Session, services: Services, account: Account, check_id: str) -> CrossProvinceCheck:
    """The lower agency feeds the returned result into the case (within 3 working days of its arrival)."""
    row = check_of(session, check_id)
    queries.visible_case(session, account, row.case_id or "")
    cross_province.feed_back(session, account, row, services.clock())
    return row
