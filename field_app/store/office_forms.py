"""The office's own form versions held on the tablet (downloaded at sync; schemas/forms/office.py)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from field_app.store.tables import OfficeFormRow
from schemas.forms import REGISTRY, Form, FormRegistry
from schemas.forms.office import OfficeForm


def save_forms(session: Session, forms: Iterable[OfficeForm], now: datetime) -> list[str]:
    """Keep the versions not yet held, each after checking its digest and that it is what it says; one
    the app ships, one that fails its check, or one held already under other bytes is left out. Returns
    the problems (names of the versions left out), for the tablet to say."""
    held = {(r.form_id, r.version): r.sha256 for r in session.exec(select(OfficeFormRow))}
    refused = []
    for offered in forms:
        key = (offered.form_id, offered.version)
        if held.get(key) == offered.sha256:
            continue
        try:
            form = offered.form()
        except ValueError:
            refused.append(f"{offered.form_id} v{offered.version}")
            continue
        if key in held or form.version in REGISTRY.versions(form.id):
            refused.append(f"{offered.form_id} v{offered.version}")
            continue
        session.add(OfficeFormRow(form_id=form.id, version=form.version, body=offered.body, sha256=offered.sha256,
                                  received_at=now))
        held[key] = offered.sha256
    return refused


def held_forms(session: Session) -> list[Form]:
    """Every office version on the tablet."""
    rows = session.exec(select(OfficeFormRow).order_by(col(OfficeFormRow.form_id), col(OfficeFormRow.version)))
    return [Form.model_validate_json(r.body) for r in rows]


def registry(session: Session) -> FormRegistry:
    """The forms the app ships and the office's versions the tablet holds."""
    return REGISTRY.with_published(held_forms(session))
