"""The office's own form versions: staged from an XLSForm, published once (logged), read back as a registry.

Publishing takes the next version number of the form (shipped and published alike) in the caller's
transaction; the unique (form_id, version) makes two people publishing at once end with one version
each or a clear refusal, never two forms under one number. A record names the version it was sealed
on, so the server judges it by exactly that form for as long as the archive lasts.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from schemas import forms as shipped
from schemas.forms import Form, FormRegistry, FormVersionUnknown
from schemas.forms.office import OfficeForm, form_body
from schemas.problems import Code, ProblemError
from sync_server.forms.diff import Change, form_changes
from sync_server.forms.xlsform import Imported, XLSFormError, read_xlsform
from sync_server.tables.forms import PublishedForm
from sync_server.transparency import audit

EDITABLE = ("home_visit", "neighbour_interview")  # the forms an office may publish new versions of


def published_forms(session: Session) -> list[Form]:
    """Every version the office published, oldest first."""
    rows = session.exec(select(PublishedForm).order_by(col(PublishedForm.id))).all()
    return [Form.model_validate_json(r.body) for r in rows]


def office_forms(session: Session) -> list[OfficeForm]:
    """The published versions as the tablets download them."""
    rows = session.exec(select(PublishedForm).order_by(col(PublishedForm.id))).all()
    return [OfficeForm(form_id=r.form_id, version=r.version, body=r.body, sha256=r.sha256) for r in rows]


def office_registry(session: Session) -> FormRegistry:
    """The shipped forms and the office's own versions together."""
    return shipped.REGISTRY.with_published(published_forms(session))


def registry_for(session: Session, *versions: tuple[str, int]) -> FormRegistry:
    """A registry holding these (form id, version) pairs: the shipped one when it knows them all (no query),
    else the office's (one query for every record of a page or a dossier)."""
    forms = shipped.REGISTRY  # read at call time: the shipped forms of this process
    if all(version in forms.versions(form_id) for form_id, version in versions):
        return forms
    return office_registry(session)


@dataclass(frozen=True)
class Staged:
    """An XLSForm read and checked, not yet published: what it would be and what it changes."""

    imported: Imported
    current: Form
    changes: list[Change]
    source_sha256: str


def stage(session: Session, form_id: str, workbook: bytes) -> Staged:
    """Read a workbook as the next version of `form_id`; ProblemError (form.xlsform_invalid) names every
    problem found in it."""
    if form_id not in EDITABLE:
        raise ProblemError(Code.FORM_UNKNOWN, form_id, form_id=form_id, form_version=None)
    registry = office_registry(session)
    try:
        current = registry.form(form_id)
    except FormVersionUnknown:
        raise ProblemError(Code.FORM_UNKNOWN, form_id, form_id=form_id, form_version=None) from None
    try:
        imported = read_xlsform(workbook, current, current.version + 1)
    except XLSFormError as error:
        raise ProblemError(Code.FORM_XLSFORM_INVALID, "；".join(error.problems[:5]),
                           problems=error.problems) from None
    return Staged(imported, current, form_changes(current, imported.form),
                  hashlib.sha256(workbook).hexdigest())


def publish(session: Session, staged: Staged, actor: str, source_name: str, now: datetime) -> PublishedForm:
    """Publish a staged form as its version, logged; refused when another version was published since it
    was staged (the changes shown would no longer be the changes made)."""
    form = staged.imported.form
    if office_registry(session).versions(form.id)[-1] != staged.current.version:
        raise ProblemError(Code.FORM_STALE, f"{form.id} 已有更新的版本，请重新导入",
                           form_id=form.id, form_version=form.version)
    body = form_body(form)
    row = PublishedForm(form_id=form.id, version=form.version, body=body,
                        sha256=hashlib.sha256(body.encode()).hexdigest(), source_name=source_name[:200],
                        source_sha256=staged.source_sha256, published_by=actor, published_at=now)
    session.add(row)
    session.flush()
    audit.append(session, audit.AuditEvent(
        "form.published", now, actor, subject=f"form/{form.id}/v{form.version}",
        data={"form_id": form.id, "version": form.version, "sha256": row.sha256, "source_name": row.source_name,
              "source_sha256": staged.source_sha256, "changes": len(staged.changes)}))
    return row
