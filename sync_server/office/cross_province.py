"""Cross-province checks (R36, §4.2.2): a case that needs a check outside the province is submitted to
the higher agency within 3 working days; the higher agency confirms it and returns the result; the result
is fed back within 3 working days. Agencies form a hierarchy (organisations.parent_id: county → city →
province); each runs its own server, and the request and the answers travel between them as packages
signed with the sender's agency key (Ed25519 over CONTEXT + RFC 8785 bytes). Each step is kept in both
servers' cross_province_checks rows and appended to both audit logs. Nothing here commits."""
from __future__ import annotations

import base64
import uuid
from datetime import date, datetime

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.exchange import CrossCheckView, CrossPackageView, CrossStatus, NewCrossCheck, SignedPackage
from schemas.problems import Code, ProblemError
from schemas.seal import key_id
from schemas.staffing import Post
from schemas.workdays import HolidayTable, add_working_days
from sync_server.accounts.posts import require_post
from sync_server.tables import Account, Case, CrossProvinceCheck, ExchangePeer, MatchingResult, Organisation, Subject
from sync_server.transparency import audit
from sync_server.transparency.agency_key import AgencyKey

CONTEXT = b"field-evidence/cross-province/v1\n"
DAYS = 3  # §4.2.2: submit within 3 working days, feed back within 3 working days
LOWER, HIGHER = "lower", "higher"


def sign_package(key: AgencyKey, payload: dict) -> SignedPackage:
    return SignedPackage(payload=payload, key_id=key.key_id, signature=key.sign(CONTEXT + rfc8785.dumps(payload)))


def verify_package(session: Session, package: SignedPackage) -> ExchangePeer:
    """The peer that signed it, or exchange.package_invalid (unknown sender, other key, bad signature)."""
    peer = session.get(ExchangePeer, str(package.payload.get("from_agency", "")))
    if peer is None or peer.key_id != package.key_id:
        raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID, "发送机构未登记，或其签名密钥与登记的不同")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(peer.public_key)).verify(
            base64.b64decode(package.signature), CONTEXT + rfc8785.dumps(package.payload))
    except (InvalidSignature, ValueError) as e:
        raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID, "数据包签名验证失败") from e
    return peer


def register_peer(session: Session, actor: Account, org_id: str, base_url: str, public_key: str,
                  now: datetime) -> ExchangePeer:
    """Another agency's server and its public key (agency_key.pub), by an administrator."""
    if actor.role != "admin":
        raise ProblemError(Code.FORBIDDEN, "仅管理员可以登记其他核查机构的服务器")
    if session.get(Organisation, org_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"机构 {org_id} 未登记")
    try:
        raw = base64.b64decode(public_key, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as e:
        raise ProblemError(Code.VALIDATION, "公钥须为 32 字节 Ed25519 公钥的 base64（agency_key.pub 第一行）") from e
    peer = session.get(ExchangePeer, org_id) or ExchangePeer(org_id=org_id, base_url="", public_key="", key_id="")
    peer.base_url, peer.public_key, peer.key_id = base_url.rstrip("/"), public_key, key_id(raw)
    session.add(peer)
    audit.log(session, "cross.peer_registered", now, actor.username, None, subject=org_id, base_url=peer.base_url,
              key_id=peer.key_id)
    return peer


def set_parent(session: Session, actor: Account, org_id: str, parent_id: str | None, now: datetime) -> Organisation:
    """Put an organisation under its higher agency (R36), by an administrator; no cycles."""
    if actor.role != "admin":
        raise ProblemError(Code.FORBIDDEN, "仅管理员可以设置机构的上级")
    org = session.get(Organisation, org_id)
    if org is None or (parent_id and session.get(Organisation, parent_id) is None):
        raise ProblemError(Code.NOT_FOUND, f"机构 {org_id} 或 {parent_id} 未登记")
    seen, up = {org_id}, parent_id
    while up:
        if up in seen:
            raise ProblemError(Code.VALIDATION, "上级关系不能成环")
        seen.add(up)
        above = session.get(Organisation, up)
        up = above.parent_id if above else None
    org.parent_id = parent_id
    session.add(org)
    audit.log(session, "org.parent_set", now, actor.username, None, subject=org_id, parent_id=parent_id)
    return org


def request_check(session: Session, actor: Account, case: Case, body: NewCrossCheck, now: datetime,
                  table: HolidayTable) -> CrossProvinceCheck:
    """Record that the case needs a check outside the province; its 3-working-day clock starts today."""
    require_post(actor, Post.INFORMATION_EXCHANGE)
    agency = session.get(Organisation, case.agency_id) if case.agency_id else None
    if agency is None or not agency.parent_id:
        raise ProblemError(Code.VALIDATION, "本案的核查机构没有登记上级机构，不能报送跨省核查")
    if not body.question.strip():  # Text's own rule lets an empty string through
        raise ProblemError(Code.VALIDATION, "请填写需跨省核查的事项")
    subjects = [session.get(Subject, s) for s in body.subject_ids]
    if any(s is None or s.case_id != case.id for s in subjects):
        raise ProblemError(Code.VALIDATION, "只能就本案的核查对象报送跨省核查（R2）")
    today = beijing_date(now)
    row = CrossProvinceCheck(id=f"xp-{uuid.uuid4().hex[:16]}", side=LOWER, case_id=case.id, from_agency=agency.id,
                             to_agency=agency.parent_id, question=body.question, needed_on=today,
                             submit_due=add_working_days(today, DAYS, table).due, status=CrossStatus.NEEDED.value,
                             subjects=[{"name": s.name, "id_number": s.id_number} for s in subjects if s])
    session.add(row)
    _log(session, "cross.needed", row, actor.username, now)
    return row


def request_payload(row: CrossProvinceCheck, now: datetime) -> dict:
    return {"type": "request", "id": row.id, "from_agency": row.from_agency, "to_agency": row.to_agency,
            "subjects": row.subjects, "question": row.question, "needed_on": row.needed_on.isoformat(),
            "submit_due": row.submit_due.isoformat(), "at": now.isoformat()}


def mark_submitted(session: Session, actor: Account, row: CrossProvinceCheck, package: SignedPackage,
                   now: datetime) -> None:
    row.status, row.submitted_at = CrossStatus.SUBMITTED.value, now
    row.request_package = package.model_dump_json()
    session.add(row)
    _log(session, "cross.submitted", row, actor.username, now, on_time=beijing_date(now) <= row.submit_due)


def _signed_at(payload: dict, now: datetime) -> datetime:
    """The sender's act (the payload's `at`, under its signature): a request delivered late by the sender's
    outbox still counts as submitted when its clerk submitted it."""
    try:
        at = datetime.fromisoformat(str(payload.get("at", "")))
    except ValueError:
        return now
    return at if at.tzinfo is not None and at <= now else now


def receive(session: Session, package: SignedPackage, now: datetime, table: HolidayTable) -> CrossProvinceCheck:
    """A package from another agency's server: a request (higher side) or a confirmation or answer (lower).
    Idempotent: the sender's outbox sends a package again when it could not record the 2xx (it died between
    our answer and its commit); a package already applied, or a step older than the one held, is answered
    as the check now stands and changes nothing. A different request under an id already received is refused."""
    verify_package(session, package)
    p = package.payload
    ours = session.get(Organisation, str(p.get("to_agency", "")))
    if ours is None or session.get(ExchangePeer, ours.id) is not None:
        raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID, "数据包的接收机构不是本机构")
    row = session.get(CrossProvinceCheck, str(p.get("id", "")))
    kind = p.get("type")
    if kind == "request":
        sender = session.get(Organisation, str(p["from_agency"]))
        if sender is None or sender.parent_id != ours.id:
            raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID, "发送机构不是本机构的下级机构")
        if row is None:
            row = CrossProvinceCheck(id=str(p["id"]), side=HIGHER, from_agency=sender.id, to_agency=ours.id,
                                     subjects=list(p.get("subjects", [])), question=str(p.get("question", "")),
                                     needed_on=date.fromisoformat(p["needed_on"]),
                                     submit_due=date.fromisoformat(p["submit_due"]),
                                     status=CrossStatus.SUBMITTED.value, submitted_at=_signed_at(p, now),
                                     request_package=package.model_dump_json())
            session.add(row)
            _log(session, "cross.received", row, f"agency:{sender.id}", now)
        elif row.side != HIGHER or (row.request_package
                                     and SignedPackage.model_validate_json(row.request_package).payload != p):
            raise ProblemError(Code.EXCHANGE_PACKAGE_INVALID, f"已收到编号为 {row.id} 的其他跨省核查请求，内容不同")
        return row
    if row is None or row.side != LOWER or row.to_agency != p.get("from_agency"):
        raise ProblemError(Code.NOT_FOUND, "没有这个跨省核查请求")
    if kind == "confirmed" and row.status == CrossStatus.SUBMITTED.value:
        row.status, row.confirmed_at, row.confirmed_by = CrossStatus.CONFIRMED.value, now, str(p.get("by", ""))
        _log(session, "cross.confirmed", row, f"agency:{row.to_agency}", now)
    elif kind == "answered" and row.status in (CrossStatus.SUBMITTED.value, CrossStatus.CONFIRMED.value):
        row.status, row.answer, row.answered_at = CrossStatus.ANSWERED.value, str(p.get("answer", "")), now
        row.answered_by, row.answer_package = str(p.get("by", "")), package.model_dump_json()
        row.feedback_due = add_working_days(beijing_date(now), DAYS, table).due
        _log(session, "cross.answered", row, f"agency:{row.to_agency}", now)
    session.add(row)
    return row


def higher_step(session: Session, actor: Account, row: CrossProvinceCheck, kind: str, answer: str,
                now: datetime) -> dict:
    """At the higher agency: confirm the request, or return its result; the payload to sign and send."""
    require_post(actor, Post.INFORMATION_EXCHANGE)
    if row.side != HIGHER:
        raise ProblemError(Code.VALIDATION, "只有上级机构可以确认或答复跨省核查")
    allowed = {"confirmed": (CrossStatus.SUBMITTED.value,),
               "answered": (CrossStatus.SUBMITTED.value, CrossStatus.CONFIRMED.value)}[kind]
    if row.status not in allowed:
        raise ProblemError(Code.INTAKE_STATE, "跨省核查当前的状态不允许此操作", status=row.status)
    if kind == "answered" and not answer.strip():
        raise ProblemError(Code.VALIDATION, "请填写跨省核查的结果")
    if kind == "confirmed":
        row.status, row.confirmed_at, row.confirmed_by = CrossStatus.CONFIRMED.value, now, actor.username
    else:
        row.status, row.answer, row.answered_at, row.answered_by = CrossStatus.ANSWERED.value, answer, now, \
            actor.username
    session.add(row)
    _log(session, f"cross.{kind}", row, actor.username, now)
    return {"type": kind, "id": row.id, "from_agency": row.to_agency, "to_agency": row.from_agency,
            "by": actor.name, "answer": answer, "at": now.isoformat()}


def feed_back(session: Session, actor: Account, row: CrossProvinceCheck, now: datetime) -> None:
    """At the lower agency: the answer goes into the case (a line of 五、其他信息类 in the report)."""
    require_post(actor, Post.INFORMATION_EXCHANGE)
    if row.side != LOWER or row.status != CrossStatus.ANSWERED.value or row.case_id is None:
        raise ProblemError(Code.INTAKE_STATE, "尚未收到上级机构返回的结果", status=row.status)
    session.add(MatchingResult(case_id=row.case_id, section=5, department="跨省核查", item=row.question[:50],
                               summary=row.answer, imported_at=now))
    row.status, row.fed_back_at, row.fed_back_by = CrossStatus.FED_BACK.value, now, actor.username
    session.add(row)
    _log(session, "cross.fed_back", row, actor.username, now,
         on_time=row.feedback_due is None or beijing_date(now) <= row.feedback_due)


def checks(session: Session, case_id: str | None = None) -> list[CrossProvinceCheck]:
    query = select(CrossProvinceCheck)
    if case_id is not None:
        query = query.where(CrossProvinceCheck.case_id == case_id)
    return list(session.exec(query.order_by(col(CrossProvinceCheck.needed_on), col(CrossProvinceCheck.id))))


def view(row: CrossProvinceCheck, package: CrossPackageView | None = None) -> CrossCheckView:
    """The check as the API shows it, with this server's last package of it (office/cross_outbox.describe)."""
    return CrossCheckView(package=package, id=row.id, side=row.side, case_id=row.case_id, from_agency=row.from_agency,
                          to_agency=row.to_agency, status=CrossStatus(row.status), question=row.question,
                          needed_on=row.needed_on, submit_due=row.submit_due, submitted_at=row.submitted_at,
                          confirmed_at=row.confirmed_at, answer=row.answer, answered_at=row.answered_at,
                          feedback_due=row.feedback_due, fed_back_at=row.fed_back_at)


def _log(session: Session, kind: str, row: CrossProvinceCheck, actor: str, now: datetime, **extra: object) -> None:
    audit.log(session, kind, now, actor, row.case_id, subject=row.id, side=row.side, status=row.status,
              from_agency=row.from_agency, to_agency=row.to_agency, **extra)
