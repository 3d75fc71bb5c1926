"""One action: export a case's dossier (PDFs included), logged and signed with the agency key."""
from __future__ import annotations

from sqlmodel import Session

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.dossier.export import Exported, export_case
from sync_server.dossier.whole import refuse_incomplete
from sync_server.services import Services
from sync_server.tables import Account, Case
from sync_server.transparency.agency_key import load_agency_key

EXPORT_ROLES = {AccountRole.REVIEWER.value, AccountRole.ADMIN.value}


def require_reviewer(account: Account) -> None:
    """Only reviewers and administrators export or issue (R6)."""
    if account.role not in EXPORT_ROLES:
        raise ProblemError(Code.FORBIDDEN, "仅审核人员或管理员可以导出档案包")


def make_dossier(session: Session, case: Case, services: Services, actor: Account) -> Exported:
    """Build the case's documents, commit the export's log entry, then write the zip under data_dir/exports."""
    from sync_server.documents.bundle import case_documents  # fpdf2 loads only when a dossier is made
    from sync_server.documents.retention import refuse_if_disposed

    require_reviewer(actor)
    require_post(actor, Post.CONFIDENTIAL)  # §4.3.1: 机要岗 keeps the archive
    refuse_if_disposed(session, case)
    refuse_incomplete(session, case, services.blobs)  # whole or not at all: nothing logged or signed
    now = services.clock()
    documents = case_documents(session, case, services, now)
    exported = export_case(session, case, blobs=services.blobs, key=load_agency_key(services.settings),
                           actor=actor.username, now=now, out_dir=services.settings.data_dir / "exports",
                           commit=session.commit, documents=documents)
    return exported
