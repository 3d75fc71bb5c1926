"""Administration of staff (R4–R6, R27, R33, R34): organisations, accounts, teams, pledges and
training, closing an account with a hand-over. Thin: the work is in staff.py and handover.py."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import col, select

from schemas.staffing import (
    AccountClosing,
    AccountView,
    CredentialKind,
    CredentialView,
    HandoverView,
    NewAccount,
    NewOrganisation,
    NewTeam,
    OrganisationView,
    OrgKind,
    TeamMembership,
)
from schemas.text import NO_CONTROL
from sync_server.accounts import admin_actions
from sync_server.api.deps import CurrentAccount, DbSession, ServicesDep, Transaction
from sync_server.evidence.staff_uploads import StoredUpload, read_body, store_upload
from sync_server.office import handover, staff
from sync_server.services import Services
from sync_server.tables import Account, Organisation, StaffCredential, Team

router = APIRouter(tags=["staff"])
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("/organisations", response_model=OrganisationView, status_code=201)
def add_organisation(body: NewOrganisation, session: Transaction, account: CurrentAccount) -> OrganisationView:
    """A township, assistance department, agency or qualified third party (R27)."""
    org = staff.add_organisation(session, account, body)
    return OrganisationView(id=org.id, name=org.name, kind=OrgKind(org.kind), qualification=org.qualification)


@router.get("/organisations", response_model=list[OrganisationView])
def list_organisations(session: DbSession, account: CurrentAccount) -> list[OrganisationView]:
    """Every organisation (administrators)."""
    staff.require_admin(account)
    return [OrganisationView(id=o.id, name=o.name, kind=OrgKind(o.kind), qualification=o.qualification)
            for o in session.exec(select(Organisation).order_by(col(Organisation.id)))]


@router.post("/teams", status_code=201, response_model=NewTeam)
def add_team(body: NewTeam, session: Transaction, account: CurrentAccount) -> NewTeam:
    """A survey team."""
    staff.add_team(session, account, body)
    return body


@router.get("/teams", response_model=list[NewTeam])
def list_teams(session: DbSession, account: CurrentAccount) -> list[NewTeam]:
    """Every survey team (administrators)."""
    staff.require_admin(account)
    return [NewTeam(id=t.id, name=t.name) for t in session.exec(select(Team).order_by(col(Team.id)))]


@router.post("/accounts", response_model=AccountView, status_code=201)
def add_account(body: NewAccount, session: Transaction, account: CurrentAccount, services: ServicesDep) -> AccountView:
    """A real-name account; the password must pass the policy (R6)."""
    created = staff.add_account(session, account, body, services.clock())
    return staff.account_view(session, created, services.clock().date())


@router.get("/accounts", response_model=list[AccountView])
def list_accounts(session: DbSession, account: CurrentAccount, services: ServicesDep) -> list[AccountView]:
    """Every account with its clearance (administrators)."""
    staff.require_admin(account)
    today = services.clock().date()
    rows = session.exec(select(Account).order_by(col(Account.username)))
    return [staff.account_view(session, a, today) for a in rows]


@router.put("/accounts/{username}/team", response_model=AccountView)
def set_team(username: str, body: TeamMembership, session: Transaction, account: CurrentAccount,
             services: ServicesDep) -> AccountView:
    """Put a surveyor in a team (or take them out with null)."""
    changed = staff.set_team(session, account, username, body.team_id)
    return staff.account_view(session, changed, services.clock().date())


@router.post("/accounts/{username}/credentials", response_model=CredentialView, status_code=201,
             openapi_extra=RAW_BODY)
async def record_credential(username: str, request: Request, account: CurrentAccount, services: ServicesDep,
                            kind: CredentialKind, valid_from: date, valid_until: date,
                            note: Annotated[str, Query(max_length=200, pattern=NO_CONTROL)] = "") -> CredentialView:
    """The scan of a signed confidentiality pledge (appendix A) or a training record, with its dates."""
    staff.require_admin(account)
    stored = await store_upload(services.blobs, await read_body(request.stream()))
    return await run_in_threadpool(_record, services, account, username, kind, valid_from, valid_until, stored, note)


def _record(services: Services, account: Account, username: str, kind: CredentialKind, valid_from: date,
            valid_until: date, stored: StoredUpload, note: str) -> CredentialView:
    with services.session() as session:
        row = staff.record_credential(session, account, username, kind, valid_from, valid_until, stored,
                                      services.clock(), note)
        session.commit()
        return credential_view(row)


def credential_view(row: StaffCredential) -> CredentialView:
    """A pledge or training as the API shows it."""
    return CredentialView(id=row.id, username=row.username, kind=CredentialKind(row.kind), valid_from=row.valid_from,
                          valid_until=row.valid_until, sha256=row.sha256, recorded_by=row.recorded_by,
                          recorded_at=row.recorded_at, note=row.note)


@router.get("/accounts/{username}/credentials", response_model=list[CredentialView])
def list_credentials(username: str, session: DbSession, account: CurrentAccount) -> list[CredentialView]:
    """A person's pledges and trainings (administrators, and the person)."""
    if account.username != username:
        staff.require_admin(account)
    return [credential_view(c) for c in staff.credentials_of(session, username)]


@router.post("/accounts/{username}/close", response_model=HandoverView, status_code=201)
def close_account(username: str, body: AccountClosing, session: Transaction, account: CurrentAccount,
                  services: ServicesDep) -> HandoverView:
    """Start closing an account: the list of its open cases goes to the named successor (R4)."""
    row = handover.start_handover(session, account, username, body.successor, services.clock())
    return handover.handover_view(row)


@router.post("/handovers/{handover_id}/confirm", response_model=HandoverView)
def confirm_handover(handover_id: str, session: Transaction, account: CurrentAccount,
                     services: ServicesDep) -> HandoverView:
    """The leaving person or the successor confirms the list; both confirmed closes the account."""
    row = handover.confirm_handover(session, account, handover_id, services.clock())
    return handover.handover_view(row)


@router.post("/accounts/password-recheck", response_model=list[str])
def recheck_passwords(session: Transaction, account: CurrentAccount, services: ServicesDep) -> list[str]:
    """The periodic recheck (§4.4.4): flag accounts whose password is too old; returns their usernames."""
    return admin_actions.recheck_passwords(session, account, services.clock())
