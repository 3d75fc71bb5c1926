"""Console page of one entrusting unit's client certificates (issue 20), for administrators: upload the unit's
CSR (signed at once when this server holds the agency CA key, else the page gives the offline `tls sign-unit`
command), register a certificate signed offline, download each certificate, revoke one (refused from the next
request on). Same service functions as everywhere (office/unit_certs.py), so the audit log is the same."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from schemas.beijing import beijing_text
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import RequireStaff
from sync_server.console.templating import page
from sync_server.edge import client_certs
from sync_server.edge.client_certs import MAX_PEM_BYTES
from sync_server.office import exchange_units, unit_certs
from sync_server.services import Services
from sync_server.tables import Account, UnitCertificate
from sync_server.tables.exchange import ExchangeUnit

router = APIRouter(prefix="/console/exchange", include_in_schema=False)


def _page(account: Account, session: DbSession, services: Services, unit: ExchangeUnit, error: str = "",
          notice: str = "", status: int = 200) -> Response:
    settings = services.settings
    return page("unit_certs.html", status=status, staff=public(account), unit=unit, error=error, notice=notice,
                certificates=unit_certs.certificates(session, unit.id), now=services.clock(), when=beijing_text,
                signs_here=bool(settings.unit_ca_key_file),
                command=unit_certs.SIGN_COMMAND.format(unit_id=unit.id, unit_name=unit.name))


def _forbidden(account: Account) -> Response:
    return page("error.html", status=403, staff=public(account), message=chinese_message(Code.FORBIDDEN))


@router.get("/units/{unit_id}/certificates")
def certificates(unit_id: str, account: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if account.role != AccountRole.ADMIN.value:
        return _forbidden(account)
    try:
        unit = exchange_units.unit_of(session, unit_id)
    except ProblemError as problem:
        return page("error.html", status=404, staff=public(account), message=problem.detail)
    return _page(account, session, services, unit)


async def _pem(request: Request) -> tuple[str, str]:
    """The uploaded file (or the pasted text), and the fingerprint field of a revocation."""
    async with request.form(max_part_size=MAX_PEM_BYTES) as form:
        upload, pasted = form.get("file"), form.get("pem")
        data = await upload.read(MAX_PEM_BYTES + 1) if isinstance(upload, UploadFile) else b""
        text = data.decode("latin-1") if data else (pasted if isinstance(pasted, str) else "")
        fingerprint = form.get("fingerprint")
        return text, fingerprint if isinstance(fingerprint, str) else ""


@router.post("/units/{unit_id}/certificates/{action}")
async def certificate_action(unit_id: str, action: str, request: Request, account: RequireStaff,
                             session: DbSession, services: ServicesDep) -> Response:
    text, fingerprint = await _pem(request)  # read (and its files closed) whoever sent it
    if account.role != AccountRole.ADMIN.value:
        return _forbidden(account)
    now = services.clock()
    try:
        unit = exchange_units.unit_of(session, unit_id)
        ca = unit_certs.AgencyCa.of(services.settings) if action in ("csr", "register") else None
        if action == "csr" and ca is not None and ca.key_pem is None:  # the CA key is offline: check, and say how
            client_certs.load_csr(text)
            notice = ("证书请求有效。本服务器不保存机构 CA 私钥：请在 CA 所在计算机上执行 "
                      + unit_certs.SIGN_COMMAND.format(unit_id=unit.id, unit_name=unit.name)
                      + "，再在下方登记已签发的证书")
        elif action == "csr" and ca is not None:
            row = unit_certs.issue(session, account, unit_id, text, ca, now)
            notice = f"已签发证书（序列号 {row.serial}），请下载后交给委托单位"
        elif action == "register" and ca is not None:
            row = unit_certs.register(session, account, unit_id, text, ca, now)
            notice = f"已登记证书（序列号 {row.serial}）"
        elif action == "revoke":
            row = unit_certs.revoke(session, account, fingerprint, now)
            if row.unit_id != unit_id:
                raise ProblemError(Code.NOT_FOUND, "该证书不属于此委托单位接口")
            notice = f"证书（序列号 {row.serial}）已吊销，即刻失效"
        else:
            raise ProblemError(Code.NOT_FOUND, action)
        session.commit()
    except ProblemError as problem:
        session.rollback()
        known = session.get(ExchangeUnit, unit_id)
        if known is None:
            return page("error.html", status=404, staff=public(account), message=problem.detail)
        return _page(account, session, services, known, error=chinese_message(problem.code.value, problem.detail),
                     status=problem.problem().status)
    return _page(account, session, services, unit, notice=notice)


@router.get("/certificates/{fingerprint}.pem")
def download(fingerprint: str, account: RequireStaff, session: DbSession) -> Response:
    """The certificate as PEM, to hand to the unit (public: its private key never left the unit)."""
    if account.role != AccountRole.ADMIN.value:
        return _forbidden(account)
    row = session.get(UnitCertificate, fingerprint)
    if row is None:
        return page("error.html", status=404, staff=public(account), message="该证书未登记")
    return Response(row.pem, media_type="application/x-pem-file",
                    headers={"Content-Disposition": f'attachment; filename="{row.unit_id}-{row.serial}.crt"'})
