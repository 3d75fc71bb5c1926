"""Helpers for the office-side tests: stored scans, a cleared surveyor, a case through intake."""
from __future__ import annotations

from datetime import date, timedelta

import anyio
from fastapi import FastAPI

from schemas.staffing import CredentialKind
from sync_server.evidence.staff_uploads import StoredUpload, store_upload
from sync_server.office import staff
from sync_server.ops.seed import scan_png
from sync_server.tables import Account


def stored_scan(app: FastAPI, label: str) -> StoredUpload:
    """A PNG scan put in the app's evidence store."""
    return anyio.run(store_upload, app.state.services.blobs, scan_png(label))


def clear_for_field_work(app: FastAPI, username: str, valid_from: date = date(2026, 1, 1)) -> None:
    """Record a current pledge and training for a person (R5, R34), as the administrator."""
    with app.state.services.session() as session:
        admin = session.get(Account, "admin")
        for kind in CredentialKind:
            staff.record_credential(session, admin, username, kind, valid_from, valid_from + timedelta(days=365),
                                    stored_scan(app, f"{kind.value}:{username}"), app.state.services.clock())
        session.commit()
