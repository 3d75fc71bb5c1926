"""The case dossier (R20) and the agency's public key, over the API."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse

from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep
from sync_server.dossier.service import make_dossier
from sync_server.tables import queries
from sync_server.transparency.agency_key import load_agency_key

router = APIRouter(tags=["dossier"])


@router.post("/cases/{case_id}/dossier", response_class=FileResponse)
def export_dossier(case_id: str, session: DbSession, account: CurrentAccount,
                   services: ServicesDep) -> FileResponse:
    """The case as a zip anyone can verify offline (`python -m sync_server verify-dossier FILE.zip`):
    PDFs, evidence originals, exact signed records, sealers' keys, log proofs, signed manifest.
    Reviewers and administrators only; the export is logged."""
    case = queries.visible_case(session, account, case_id)
    exported = make_dossier(session, case, services, account)
    return FileResponse(exported.path, media_type="application/zip", filename=exported.path.name,
                        headers={"X-Manifest-SHA256": exported.manifest_sha256})


@router.get("/agency-key", response_class=PlainTextResponse)
def agency_key(services: ServicesDep, _account: CurrentAccount) -> str:
    """The agency's public key (base64 of 32 raw bytes) and its key id: the dossier's trust anchor."""
    key = load_agency_key(services.settings)
    return f"{key.public_b64}\nkey_id {key.key_id}\n"
