"""Console pages of the device fleet (issue 18, R40), administrators only: 设备登记 (a one-time
enrolment code shown as a QR code drawn on the server, inline SVG, with the same payload as text beside
it) and 设备 (the fleet list with the "设备丢失" action). Same service functions as the API
(sync_server/accounts/fleet.py)."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session, col, select

from schemas.devices import STATUS_NAMES, DeviceStatus, NewEnrolment
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts import fleet
from sync_server.accounts.auth import public
from sync_server.accounts.enrolment_qr import payload_for, qr_svg
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.services import Services
from sync_server.tables import Account, Organisation, Team

router = APIRouter(prefix="/console", include_in_schema=False)


def _forbidden(staff: Account) -> Response | None:
    if staff.role != AccountRole.ADMIN.value:
        return page("error.html", status=403, staff=public(staff), message=chinese_message(Code.FORBIDDEN))
    return None


def _devices_page(staff: Account, session: Session, services: Services, *, error: str = "", notice: str = "",
                  status: int = 200) -> Response:
    if fleet.log_expired(session, services.clock()):
        session.commit()
    orgs = {o.id: o.name for o in session.exec(select(Organisation))}
    return page("devices.html", status=status, staff=public(staff), devices=fleet.fleet(session), orgs=orgs,
                status_names={s.value: n for s, n in STATUS_NAMES.items()}, active=DeviceStatus.ACTIVE.value,
                upload_first=DeviceStatus.LOST_UPLOAD_FIRST.value,
                error=error, notice=notice)


def _enrol_page(staff: Account, session: Session, *, error: str = "", status: int = 200,
                **shown: object) -> Response:
    return page("device_enrol.html", status=status, staff=public(staff), error=error,
                orgs=list(session.exec(select(Organisation).order_by(col(Organisation.id)))),
                teams=list(session.exec(select(Team).order_by(col(Team.id)))), **shown)


@router.get("/devices")
def devices(staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return _forbidden(staff) or _devices_page(staff, session, services)


@router.get("/devices/enrol")
def enrol_form(staff: RequireStaff, session: DbSession) -> Response:
    return _forbidden(staff) or _enrol_page(staff, session)


@router.post("/devices/enrol")
def enrol(request: Request, form: Form, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    """A new one-time code, shown once as a QR code and as text (only its hash is kept)."""
    if (refused := _forbidden(staff)) is not None:
        return refused
    settings = services.settings
    try:
        body = NewEnrolment.model_validate({"org_id": form.get("org_id", ""), "team_id": form.get("team_id", ""),
                                            "note": form.get("note", "")})
        row, code = fleet.create_enrolment(session, staff, body, services.clock(),
                                           timedelta(hours=settings.enrolment_hours))
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _enrol_page(staff, session, status=problem.problem().status,
                           error=chinese_message(problem.code.value, problem.detail))
    except ValidationError as error:
        session.rollback()
        return _enrol_page(staff, session, status=422, error=f"填写有误：{error.errors()[0]['msg']}")
    payload = payload_for(settings, str(request.base_url), code, row.expires_at)
    text = payload.text()
    org = session.get(Organisation, row.org_id)
    return _enrol_page(staff, session, enrolment=row, payload=payload, payload_text=text,
                       qr=Markup(qr_svg(text)), org_name=org.name if org else row.org_id)


@router.post("/devices/{tablet_id}/lost")
def lost(tablet_id: str, form: Form, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    """"设备丢失": the tablet's tokens and keys are refused and it wipes at its next contact."""
    if (refused := _forbidden(staff)) is not None:
        return refused
    upload_first = form.get("mode") == "upload_first"
    try:
        device = fleet.mark_lost(session, staff, tablet_id, services.clock(), upload_first=upload_first)
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _devices_page(staff, session, services, status=problem.problem().status,
                             error=chinese_message(problem.code.value, problem.detail))
    notice = (f"设备 {device.id} 已登记为丢失：其登录令牌现在只能上传已封存的记录；上传完毕设备即清除数据，"
              "令牌与在其上登记的签名密钥随即停用" if upload_first else
              f"设备 {device.id} 已登记为丢失：其登录令牌与在其上登记的签名密钥已停用，设备将在下次联网时清除数据")
    return _devices_page(staff, session, services, notice=notice)
