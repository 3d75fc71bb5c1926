"""The device fleet over the API (issue 18): a tablet fetches the agency CA and registers with a one-time
code (no token yet), reports its state at each sync (and learns whether to wipe); administrators create
enrolments, list the fleet and mark a tablet lost."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from schemas.devices import (
    DeviceEnrol,
    DeviceEnrolled,
    DeviceOrders,
    DeviceReport,
    DeviceStatus,
    DeviceView,
    EnrolmentCreated,
    LostDevice,
    NewEnrolment,
)
from schemas.problems import Code, ProblemError
from sync_server.accounts import fleet
from sync_server.accounts.enrolment_qr import agency_ca_pem, payload_for
from sync_server.api.deps import CurrentAdmin, CurrentSurveyor, CurrentToken, DbSession, ServicesDep, Transaction
from sync_server.tables import Device
from sync_server.transparency import audit

router = APIRouter(tags=["devices"])


@router.get("/enrolment/ca", response_class=Response,
            responses={200: {"content": {"application/x-pem-file": {}}}})
def agency_ca(services: ServicesDep) -> Response:
    """The agency CA certificate (PEM). Public: the tablet accepts it only if its SHA-256 is the one in the
    enrolment QR code, and from then on trusts nothing else."""
    pem = agency_ca_pem(services.settings)
    if pem is None:
        raise ProblemError(Code.NOT_FOUND, "本服务器未配置机构 CA")
    return Response(pem, media_type="application/x-pem-file")


@router.post("/devices/enrol", response_model=DeviceEnrolled)
def enrol_device(body: DeviceEnrol, session: DbSession, services: ServicesDep) -> DeviceEnrolled:
    """Register this tablet with a one-time enrolment code; answers the office's name. An unknown, used or
    expired code is refused (`device.enrolment_invalid`, 403) and the refusal logged."""
    now = services.clock()
    try:
        enrolled = fleet.enrol(session, body, now, body.app_version)
    except ProblemError as problem:
        session.rollback()
        audit.log(session, "device.enrolment_refused", now, "", subject=body.device_id,
                  reason=str(problem.data.get("reason", problem.code.value)),
                  enrolment_id=str(problem.data.get("enrolment_id", "")))
        fleet.log_expired(session, now)
        session.commit()
        raise
    session.commit()
    return enrolled


@router.post("/devices/report", response_model=DeviceOrders)
def report_state(body: DeviceReport, session: Transaction, token: CurrentToken, surveyor: CurrentSurveyor,
                 services: ServicesDep) -> DeviceOrders:
    """The tablet's state at a sync (app and form versions, outbox backlog, free storage); the answer says
    whether to wipe, and whether to upload sealed records first. A surveyor's tablet token only."""
    if not token.device_id:
        raise ProblemError(Code.FORBIDDEN, "仅平板可以报告设备状态")
    return fleet.report(session, session.merge(token), surveyor, body, services.clock())


@router.post("/admin/enrolments", response_model=EnrolmentCreated, status_code=201)
def create_enrolment(body: NewEnrolment, request: Request, session: Transaction, admin: CurrentAdmin,
                     services: ServicesDep) -> EnrolmentCreated:
    """A one-time enrolment code for an organisation (and optionally a team), with its QR payload."""
    settings = services.settings
    row, code = fleet.create_enrolment(session, admin, body, services.clock(),
                                       timedelta(hours=settings.enrolment_hours))
    payload = payload_for(settings, str(request.base_url), code, row.expires_at)
    return EnrolmentCreated(enrolment_id=row.id, payload=payload, payload_text=payload.text())


def device_view(device: Device) -> DeviceView:
    """A fleet row as the API shows it."""
    return DeviceView(device_id=device.id, org_id=device.org_id or "", team_id=device.team_id,
                      status=DeviceStatus(device.status), enrolled_at=device.enrolled_at, last_user=device.last_user,
                      last_sign_in_at=device.last_sign_in_at, last_sync_at=device.last_sync_at,
                      app_version=device.app_version, form_versions=list(device.form_versions),
                      outbox_backlog=device.outbox_backlog, free_bytes=device.free_bytes, lost_at=device.lost_at,
                      wiped_at=device.wiped_at)


@router.get("/admin/devices", response_model=list[DeviceView])
def list_devices(session: DbSession, _admin: CurrentAdmin) -> list[DeviceView]:
    """The fleet: every tablet with what it reported last."""
    return [device_view(d) for d in fleet.fleet(session)]


@router.post("/admin/devices/{tablet_id}/lost", response_model=DeviceView)
def device_lost(tablet_id: str, body: LostDevice, session: Transaction, admin: CurrentAdmin,
                services: ServicesDep) -> DeviceView:
    """"设备丢失": the tablet's tokens and the keys enrolled on it are refused (at once, or after it has
    uploaded what it sealed when `upload_first`); it wipes itself at its next contact."""
    return device_view(fleet.mark_lost(session, admin, tablet_id, services.clock(), upload_first=body.upload_first))
