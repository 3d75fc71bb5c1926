"""Results pushed back to the unit's system (issue 20): a durable outbox, one message per issued report.

The message is written in the transaction that issues the report (documents/reports.py), so a report
issued is a message owed, whatever happens to the process afterwards. Each unit's messages carry a
sequence number (1, 2, 3 …); documents/result_delivery.py delivers them in that order, one unit's head
at a time, signed with the unit's HMAC secret: `X-Exchange-Signature: t=<unix>,v1=<hex>` over
`f"{t}." + body`. A receiver keeps the last `seq` it applied, which makes a repeat harmless."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

import rfc8785
from sqlmodel import Session, col, select

from schemas.exchange import ReportRef, ResultMessage
from sync_server.tables import Case, ExchangeMessage, ExchangeSubmission, ExchangeUnit, ReportVersion
from sync_server.transparency import audit

REPORT_ISSUED = "report.issued"


def report_ref(reference: str, row: ReportVersion) -> ReportRef:
    """How a unit finds an issued report: its number, its sealed content's hash and where to fetch its PDF."""
    return ReportRef(version=row.version, number=row.number, issued_at=row.issued_at,
                     content_sha256=hashlib.sha256(row.content).hexdigest(),
                     pdf_url=f"/exchange/v1/entrustments/{reference}/reports/{row.version}.pdf")


def enqueue_report(session: Session, case: Case, row: ReportVersion, content: dict, now: datetime) -> None:
    """Owe the unit a message about this report, when the case came from a unit's system."""
    submission = session.exec(select(ExchangeSubmission).where(ExchangeSubmission.case_id == case.id)).first()
    if submission is None:
        return
    unit = session.exec(select(ExchangeUnit).where(ExchangeUnit.id == submission.unit_id)
                        .with_for_update()).one()  # one sequence per unit, taken under the unit's row lock
    seq, unit.next_seq = unit.next_seq, unit.next_seq + 1
    session.add(unit)
    message = ResultMessage(event=REPORT_ISSUED, seq=seq, unit_id=unit.id, reference=submission.reference,
                            case_id=case.id, report=report_ref(submission.reference, row),
                            summary=content["summary"], declared_vs_verified=content.get("declared", []))
    body = rfc8785.dumps(message.model_dump(mode="json")).decode("utf-8")
    out = ExchangeMessage(id=f"xm-{uuid.uuid4().hex[:16]}", unit_id=unit.id, seq=seq, case_id=case.id,
                          event=REPORT_ISSUED, body=body, created_at=now, next_attempt_at=now)
    session.add(out)
    session.flush()
    audit.log(session, "exchange.result_queued", now, "system", case.id, subject=out.id, unit_id=unit.id, seq=seq,
              report_version=row.version, body_sha256=hashlib.sha256(body.encode()).hexdigest())


def signature_header(secret: str, body: bytes, unix_time: int) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}." + body)>`."""
    mac = hmac.new(secret.encode("utf-8"), f"{unix_time}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={unix_time},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, now_unix: int, tolerance_s: int = 300) -> bool:
    """What a receiver checks (the example client does the same): the MAC, and a timestamp not too old."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = signature_header(secret, body, t).split("v1=", 1)[1]
    return abs(now_unix - t) <= tolerance_s and hmac.compare_digest(expected, parts.get("v1", ""))


def messages_of(session: Session, unit_id: str, limit: int = 200) -> list[ExchangeMessage]:
    """The unit's messages, newest first (for the console)."""
    query = select(ExchangeMessage).where(ExchangeMessage.unit_id == unit_id)
    return list(session.exec(query.order_by(col(ExchangeMessage.seq).desc()).limit(limit)))
