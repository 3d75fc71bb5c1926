"""Console pages of the forms an office authors (issue 20): import an XLSForm, see the form as the tablet
will ask it and what changed from the current version, then publish it as the next version.

Administrators only. The imported workbook waits in `data_dir/forms-staged/<sha256>.xlsx` between the
preview and the publish; publishing reads it again and checks it against the version current then, so
what was previewed is exactly what is published (or the publish is refused with form.stale)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from schemas.beijing import beijing_text
from schemas.forms import REGISTRY
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.deps import RequireStaff
from sync_server.console.templating import page
from sync_server.forms.diff import TYPE_NAMES
from sync_server.forms.published import EDITABLE, Staged, office_registry, publish, stage
from sync_server.forms.xlsform import MAX_WORKBOOK_BYTES
from sync_server.services import Services
from sync_server.tables import Account
from sync_server.tables.forms import PublishedForm

router = APIRouter(prefix="/console", include_in_schema=False)
STAGED = re.compile(r"^[0-9a-f]{64}$")


def _versions(session: Session) -> list[dict[str, object]]:
    registry = office_registry(session)
    rows = {(r.form_id, r.version): r for r in session.exec(select(PublishedForm).order_by(col(PublishedForm.id)))}
    out = []
    for form_id in EDITABLE:
        for version in reversed(registry.versions(form_id)):
            form = registry.form(form_id, version)
            row = rows.get((form_id, version))
            out.append({"form_id": form_id, "version": version, "title": form.title,
                        "questions": len(form.fields()), "current": version == registry.versions(form_id)[-1],
                        "origin": "本单位发布" if row else "随软件提供",
                        "by": row.published_by if row else "", "source": row.source_name if row else "",
                        "at": beijing_text(row.published_at) if row else ""})
    return out


def _list_page(session: Session, staff: Account, error: str = "", notice: str = "", status: int = 200) -> Response:
    return page("forms.html", status=status, staff=public(staff), versions=_versions(session), error=error,
                notice=notice, editable=[(f, REGISTRY.form(f).title) for f in EDITABLE])


def _refused(staff: Account) -> Response | None:
    if staff.role != AccountRole.ADMIN.value:
        return page("error.html", status=403, staff=public(staff), message=chinese_message(Code.FORBIDDEN))
    return None


def _staged_path(services: Services, sha256: str) -> Path:
    return services.settings.data_dir / "forms-staged" / f"{sha256}.xlsx"


@router.get("/forms")
def forms_page(request: Request, staff: RequireStaff, session: DbSession) -> Response:
    published = request.query_params.get("published", "")
    notice = f"已发布 {published}：平板下次同步时下载，新开始的调查使用新版本" if published else ""
    return _refused(staff) or _list_page(session, staff, notice=notice)


@router.post("/forms/import")
async def import_form(request: Request, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    async with request.form() as form:  # read (and its temporary files closed) before any answer
        upload, form_id = form.get("file"), str(form.get("form_id", ""))
        refused = _refused(staff)
        if refused:
            return refused
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _list_page(session, staff, error="请选择 XLSForm 工作簿（.xlsx）", status=422)
        data, name = await upload.read(MAX_WORKBOOK_BYTES + 1), upload.filename
    try:
        staged = stage(session, form_id, data)
    except ProblemError as problem:
        return page("forms.html", status=problem.problem().status, staff=public(staff),
                    versions=_versions(session), editable=[(f, REGISTRY.form(f).title) for f in EDITABLE],
                    error=chinese_message(problem.code.value, ""), problems=problem.data.get("problems", []))
    path = _staged_path(services, staged.source_sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _preview(staff, staged, name)


def _preview(staff: Account, staged: Staged, name: str) -> Response:
    return page("form_preview.html", staff=public(staff), form=staged.imported.form, current=staged.current,
                changes=staged.changes, notes=staged.imported.notes, sha256=staged.source_sha256,
                source_name=name, type_names=TYPE_NAMES)


@router.post("/forms/publish")
async def publish_form(request: Request, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    async with request.form() as form:
        sha256, form_id = str(form.get("sha256", "")), str(form.get("form_id", ""))
        base, name = str(form.get("base_version", "")), str(form.get("source_name", ""))
    refused = _refused(staff)
    if refused:
        return refused
    path = _staged_path(services, sha256) if STAGED.match(sha256) else None
    if path is None or not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        return _list_page(session, staff, error="导入的工作簿已不在服务器上，请重新导入", status=409)
    try:
        staged = stage(session, form_id, path.read_bytes())
        if str(staged.current.version) != base:
            raise ProblemError(Code.FORM_STALE, form_id, form_id=form_id, form_version=staged.current.version)
        row = publish(session, staged, staff.username, name, services.clock())
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _list_page(session, staff, error=chinese_message(problem.code.value, ""),
                          status=problem.problem().status)
    path.unlink(missing_ok=True)
    return RedirectResponse(f"/console/forms?published={row.form_id}.v{row.version}", status_code=303)
