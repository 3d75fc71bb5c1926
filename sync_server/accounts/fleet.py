"""The device fleet (issue 18, R40): enrolment codes, registering a tablet, its reported state, and
"设备丢失". Helpers here never commit; the route does, once.

- An administrator creates an enrolment for an organisation (and optionally a team): a random code,
  shown once in a QR code, stored only as its SHA-256, single-use, expiring. Creation, use, refusal
  and expiry are audit-log events.
- A tablet registers with the code (`enrol`), and reports its state at each sign-in and sync
  (`note_sign_in`, `report`); the fleet list shows what it said last.
- "设备丢失" (`mark_lost`): at once, every token of the device is dropped and every surveyor key enrolled
  on it revoked; the tablet's next contact is answered `device.lost` and it wipes itself. When the
  office chooses "upload first", its tokens are instead narrowed to uploads (kind `device-upload`):
  the tablet uploads what it sealed, reports the wipe, and only then are its tokens and keys revoked.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from schemas.devices import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DeviceEnrol,
    DeviceEnrolled,
    DeviceOrders,
    DeviceReport,
    DeviceStatus,
    NewEnrolment,
    normalise_code,
)
from schemas.problems import Code, ProblemError
from sync_server.office.staff import require_admin
from sync_server.tables import Account, Device, DeviceEnrolment, Organisation, SessionToken, SurveyorKey
from sync_server.tables.accounts import Team
from sync_server.transparency import audit

UPLOAD_ONLY = "device-upload"  # the token kind of a lost tablet told to upload first
LOST = {DeviceStatus.LOST.value, DeviceStatus.LOST_UPLOAD_FIRST.value}


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", errors="replace")).hexdigest()


def create_enrolment(session: Session, actor: Account, body: NewEnrolment, now: datetime,
                     ttl: timedelta) -> tuple[DeviceEnrolment, str]:
    """A new enrolment and its code (returned once, never stored in clear)."""
    require_admin(actor)
    if session.get(Organisation, body.org_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"机构 {body.org_id}")
    if body.team_id and session.get(Team, body.team_id) is None:
        raise ProblemError(Code.NOT_FOUND, f"小组 {body.team_id}")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = DeviceEnrolment(id=f"enr-{uuid.uuid4().hex[:12]}", code_sha256=_code_hash(code), org_id=body.org_id,
                          team_id=body.team_id, note=body.note, created_by=actor.username, created_at=now,
                          expires_at=now + ttl)
    session.add(row)
    audit.log(session, "device.enrolment_created", now, actor.username, subject=row.id, org_id=row.org_id,
              team_id=row.team_id, expires_at=row.expires_at.isoformat(), note=row.note)
    log_expired(session, now)
    return row, code


def log_expired(session: Session, now: datetime) -> int:
    """Log each enrolment that expired unused and was not logged yet; how many."""
    rows = session.exec(select(DeviceEnrolment).where(col(DeviceEnrolment.used_at).is_(None),
                                                      col(DeviceEnrolment.expires_at) <= now,
                                                      col(DeviceEnrolment.expiry_logged_at).is_(None))).all()
    for row in rows:
        row.expiry_logged_at = now
        session.add(row)
        audit.log(session, "device.enrolment_expired", now, "", subject=row.id, expires_at=row.expires_at.isoformat())
    return len(rows)


def enrol(session: Session, body: DeviceEnrol, now: datetime, app_version: str = "") -> DeviceEnrolled:
    """Register a tablet with a one-time code; `device.enrolment_invalid` for an unknown, used or expired
    code (the caller logs the refusal in a transaction of its own)."""
    row = session.exec(select(DeviceEnrolment).where(DeviceEnrolment.code_sha256 == _code_hash(body.code))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        reason = "unknown" if row is None else "used" if row.used_at is not None else "expired"
        raise ProblemError(Code.ENROLMENT_INVALID, {"unknown": "登记码不存在", "used": "登记码已使用",
                                                    "expired": "登记码已过期"}[reason],
                           reason=reason, enrolment_id=row.id if row else "")
    device = session.get(Device, body.device_id)
    if device is not None and device.status in LOST:
        raise ProblemError(Code.DEVICE_LOST, device.id, upload_first=device.status != DeviceStatus.LOST.value)
    device = device or Device(id=body.device_id)
    device.org_id, device.team_id, device.enrolment_id = row.org_id, row.team_id, row.id
    device.enrolled_at, device.status, device.app_version = now, DeviceStatus.ACTIVE.value, body.app_version
    device.wiped_at = None
    row.used_at, row.used_by_device = now, device.id
    session.add_all([row, device])
    audit.log(session, "device.enrolled", now, "", subject=device.id, enrolment_id=row.id, org_id=row.org_id,
              team_id=row.team_id, app_version=body.app_version)
    org = session.get(Organisation, row.org_id)
    name = org.name if org else row.org_id
    return DeviceEnrolled(device_id=device.id, org_id=row.org_id, org_name=name, team_id=row.team_id,
                          office_name=name)


def refuse_if_lost(session: Session, device_id: str) -> None:
    """`device.lost` (with whether to upload first) when this tablet was reported lost."""
    device = session.get(Device, device_id) if device_id else None
    if device is not None and device.status in LOST:
        raise ProblemError(Code.DEVICE_LOST, "本设备已被登记为丢失", device_id=device.id,
                           upload_first=device.status == DeviceStatus.LOST_UPLOAD_FIRST.value)


def note_sign_in(session: Session, device_id: str, account: Account, now: datetime) -> None:
    """A surveyor signed in on this tablet: refused if it was reported lost, or enrolled for another
    organisation; else remembered (a tablet configured by hand is listed from its first sign-in)."""
    refuse_if_lost(session, device_id)
    device = session.get(Device, device_id) or Device(id=device_id, org_id=account.org_id)
    if device.enrolment_id and device.org_id and account.org_id and device.org_id != account.org_id:
        raise ProblemError(Code.FORBIDDEN, "本设备登记在其他机构名下，不能用本账号登录", device_org=device.org_id)
    device.last_user, device.last_sign_in_at = account.username, now
    if not device.team_id and account.team_id:
        device.team_id = account.team_id
    session.add(device)


def report(session: Session, token: SessionToken, account: Account, body: DeviceReport,
           now: datetime) -> DeviceOrders:
    """Keep the tablet's reported state; answer whether it must wipe. A report of a wipe done by a tablet
    that was told to upload first ends its tokens and revokes its keys now."""
    device = session.get(Device, token.device_id) or Device(id=token.device_id, org_id=account.org_id)
    device.last_sync_at, device.app_version = now, body.app_version or device.app_version
    device.form_versions, device.outbox_backlog, device.free_bytes = list(body.form_versions), \
        body.outbox_backlog, body.free_bytes
    device.last_user = device.last_user or account.username
    session.add(device)
    if device.status == DeviceStatus.LOST_UPLOAD_FIRST.value and body.wiped:
        _shut_out(session, device, now, actor=account.username)
        device.status, device.wiped_at = DeviceStatus.WIPED.value, now
        audit.log(session, "device.wiped", now, account.username, subject=device.id,
                  outbox_backlog=body.outbox_backlog)
        return DeviceOrders(wipe=True)
    if device.status in LOST:
        return DeviceOrders(wipe=True, upload_first=device.status == DeviceStatus.LOST_UPLOAD_FIRST.value)
    return DeviceOrders()


def _shut_out(session: Session, device: Device, now: datetime, actor: str) -> list[str]:
    """Drop every token of the device and revoke every key enrolled on it; the key ids revoked."""
    session.execute(delete(SessionToken).where(col(SessionToken.device_id) == device.id))
    keys = session.exec(select(SurveyorKey).where(SurveyorKey.device_id == device.id,
                                                  col(SurveyorKey.revoked_at).is_(None))).all()
    for key in keys:
        key.revoked_at, key.revoked_by, key.revoke_reason = now, actor, f"设备丢失：{device.id}"
        session.add(key)
        audit.log(session, "key.revoked", now, actor, subject=key.key_id, username=key.username,
                  reason=key.revoke_reason)
    return [k.key_id for k in keys]


def mark_lost(session: Session, actor: Account, device_id: str, now: datetime, *, upload_first: bool) -> Device:
    """"设备丢失": shut the tablet out (or, to upload first, narrow its tokens to uploads); it wipes itself
    at its next contact."""
    require_admin(actor)
    device = session.get(Device, device_id)
    if device is None:
        raise ProblemError(Code.NOT_FOUND, f"设备 {device_id}")
    if device.status == DeviceStatus.LOST.value or (device.status == DeviceStatus.LOST_UPLOAD_FIRST.value
                                                     and upload_first):
        return device
    if upload_first:
        session.execute(update(SessionToken).where(col(SessionToken.device_id) == device.id)
                        .values(kind=UPLOAD_ONLY))
        revoked: list[str] = []
        device.status = DeviceStatus.LOST_UPLOAD_FIRST.value
    else:
        revoked = _shut_out(session, device, now, actor.username)
        device.status = DeviceStatus.LOST.value
    device.lost_at, device.lost_by = now, actor.username
    session.add(device)
    audit.log(session, "device.lost", now, actor.username, subject=device.id, upload_first=upload_first,
              keys_revoked=revoked)
    return device


def devices_of(session: Session, username: str) -> list[str]:
    """The tablets a person used (last signed in on, or enrolled a key on): part of their hand-over (R40)."""
    used = set(session.exec(select(Device.id).where(Device.last_user == username)).all())
    used |= {d for d in session.exec(select(SurveyorKey.device_id).where(SurveyorKey.username == username)).all() if d}
    return sorted(used)


def fleet(session: Session) -> list[Device]:
    """Every device, most recently seen first (never seen: last)."""
    never = datetime.min.replace(tzinfo=UTC)
    rows = list(session.exec(select(Device)))
    return sorted(rows, key=lambda d: d.last_sync_at or d.last_sign_in_at or d.enrolled_at or never, reverse=True)
