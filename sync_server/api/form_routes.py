"""The office's own form versions, for the tablets to download at sync (published in the console)."""
from __future__ import annotations

from fastapi import APIRouter

from schemas.forms.office import OfficeForm
from sync_server.api.deps import CurrentAccount, DbSession
from sync_server.forms.published import office_forms

router = APIRouter(prefix="/forms", tags=["forms"])


@router.get("", response_model=list[OfficeForm])
def list_forms(session: DbSession, account: CurrentAccount) -> list[OfficeForm]:
    """Every version the office published (few and small: all of them, every time); the forms shipped
    with the app are not listed. A tablet keeps each after checking its digest."""
    return office_forms(session)
