"""Staff administration (R4–R6, R27, R33, R34): organisations, accounts with posts and scope, teams,
yearly confidentiality pledges and training, closing an account with a hand-over, password age.
Nothing here commits."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import AccountView, CredentialKind, NewAccount, NewOrganisation, NewTeam, OrgKind, Post
from sync_server.accounts.auth import create_account
from sync_server.accounts.passwords import password_problems
from sync_server.evidence.staff_uploads import StoredUpload, remember_file
from sync_server.tables import Account, Case, Entrustment, Organisation, StaffCredential, Team
from sync_server.transparency.audit_rows import log_row

PASSWORD_MAX_AGE = timedelta(days=180)  # §4.4.4: passwords are rechecked and renewed


def require_admin(actor: Account) -> None:
    """Only administrators manage accounts (R6)."""
    if actor.role != AccountRole.ADMIN.value:
        raise ProblemError(Code.FORBIDDEN, "只有管理员可以管理账号")


def add_organisation(session: Session, actor: Account, body: NewOrganisation) -> Organisation:
    """A township, assistance department, agency or qualified third party (R27)."""
    require_admin(actor)
    if session.get(Organisation, body.id) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, f"机构编号 {body.id} 已存在")
    org = Organisation(id=body.id, name=body.name, kind=body.kind.value, qualification=body.qualification.strip())
    session.add(org)
    log_row(session, "organisation.added", org, actor=actor.username, subject=org.id)
    return org


def add_team(session: Session, actor: Account, body: NewTeam) -> Team:
    """A survey team (调查小组)."""
    require_admin(actor)
    if session.get(Team, body.id) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, f"调查小组 {body.id} 已存在")
    team = Team(id=body.id, name=body.name)
    session.add(team)
    log_row(session, "team.added", team, actor=actor.username, subject=team.id)
    return team


def add_account(session: Session, actor: Account, body: NewAccount, now: datetime) -> Account:
    """A real-name account: the password checked against the policy (R6), township scope from its org."""
    require_admin(actor)
    try:
        role = AccountRole(body.role)
    except ValueError:
        raise ProblemError(Code.VALIDATION, f"未知角色 {body.role}") from None
    org = session.get(Organisation, body.org_id)
    if org is None:
        raise ProblemError(Code.NOT_FOUND, f"机构 {body.org_id} 不存在")
    if role == AccountRole.TOWNSHIP and org.kind != OrgKind.TOWNSHIP.value:
        raise ProblemError(Code.VALIDATION, "乡镇（街道）工作人员须属于乡镇（街道）机构")
    if body.team_id is not None and (role != AccountRole.SURVEYOR or session.get(Team, body.team_id) is None):
        raise ProblemError(Code.VALIDATION, "只有调查人员可以加入已有的调查小组")
    unit = org.name if role == AccountRole.TOWNSHIP else ""
    account = create_account(session, username=body.username, name=body.name, role=role, password=body.password,
                             work_id=body.work_id, team_id=body.team_id, unit=unit, pin=body.pin, org_id=org.id,
                             posts=[p.value for p in body.posts], now=now)
    log_row(session, "account.created", account, actor=actor.username, at=now, subject=account.username)
    return account


def set_team(session: Session, actor: Account, username: str, team_id: str | None) -> Account:
    """Put a surveyor in a team, or take them out."""
    require_admin(actor)
    account = _account(session, username)
    if team_id is not None and (account.role != AccountRole.SURVEYOR.value or session.get(Team, team_id) is None):
        raise ProblemError(Code.VALIDATION, "只有调查人员可以加入已有的调查小组")
    account.team_id = team_id
    session.add(account)
    log_row(session, "account.team_set", account, actor=actor.username, subject=username)
    return account


def _account(session: Session, username: str) -> Account:
    account = session.get(Account, username)
    if account is None:
        raise ProblemError(Code.NOT_FOUND, username)
    return account


def record_credential(session: Session, actor: Account, username: str, kind: CredentialKind, valid_from: date,
                      valid_until: date, stored: StoredUpload, now: datetime, note: str = "") -> StaffCredential:
    """A signed pledge (appendix A, one a year) or a training, with its scan (R5, R34)."""
    require_admin(actor)
    _account(session, username)
    if valid_until <= valid_from or valid_until > valid_from + timedelta(days=366):
        raise ProblemError(Code.VALIDATION, "有效期须在一年以内且晚于起始日期（一年一签）")
    remember_file(session, stored, actor.username, now)
    row = StaffCredential(id=f"cred-{uuid.uuid4().hex[:16]}", username=username, kind=kind.value,
                          valid_from=valid_from, valid_until=valid_until, sha256=stored.sha256,
                          recorded_by=actor.username, recorded_at=now, note=note.strip())
    session.add(row)
    log_row(session, "credential.recorded", row, actor=actor.username, at=now, subject=username)
    return row


def credentials_of(session: Session, username: str) -> list[StaffCredential]:
    """A person's pledges and trainings, newest first."""
    query = select(StaffCredential).where(StaffCredential.username == username)
    return list(session.exec(query.order_by(col(StaffCredential.valid_until).desc())))


def clearance_problems(session: Session, username: str, today: date) -> list[str]:
    """Why this person may not do field work today (R5, R34): a missing or expired pledge or training."""
    current = {c.kind for c in credentials_of(session, username) if c.valid_from <= today <= c.valid_until}
    return [f"{name}缺失或已过期" for kind, name in (("pledge", "保密承诺书"), ("training", "培训记录"))
            if kind not in current]


def account_view(session: Session, account: Account, today: date) -> AccountView:
    """An account as administrators see it (API and console), with whether it is cleared for field work."""
    org = session.get(Organisation, account.org_id) if account.org_id else None
    problems = clearance_problems(session, account.username, today)
    return AccountView(username=account.username, name=account.name, work_id=account.work_id, role=account.role,
                       org_id=account.org_id, org_name=org.name if org else "",
                       posts=[Post(p) for p in account.posts or []], team_id=account.team_id, unit=account.unit,
                       active=account.active, must_change_password=account.must_change_password,
                       cleared_for_field_work=not problems, clearance_problems=problems)


def require_cleared(session: Session, account: Account, today: date) -> None:
    """Refuse field work to a surveyor without a current pledge and training (`staff.not_cleared`)."""
    problems = clearance_problems(session, account.username, today)
    if problems:
        raise ProblemError(Code.STAFF_NOT_CLEARED, f"{account.name}：" + "；".join(problems),
                           username=account.username, problems=problems)


def password_due(account: Account, now: datetime) -> bool:
    """Whether the password must be changed before the next sign-in (flag, or older than the limit)."""
    changed = account.password_changed_at
    return account.must_change_password or (changed is not None and now - changed > PASSWORD_MAX_AGE)


def recheck_passwords(session: Session, now: datetime) -> list[str]:
    """The periodic check (§4.4.4): flag every active account whose password is too old; their names."""
    flagged = []
    for account in session.exec(select(Account).where(col(Account.active).is_(True)).order_by(col(Account.username))):
        if not account.must_change_password and password_due(account, now):
            account.must_change_password = True
            session.add(account)
            flagged.append(account.username)
    return flagged


def flag_if_weak(session: Session, account: Account, password: str) -> None:
    """At sign-in the server briefly holds the password: one weaker than today's policy is reset at once (R33)."""
    if password_problems(password, account.username) and not account.must_change_password:
        account.must_change_password = True
        session.add(account)


def open_cases_of(session: Session, account: Account) -> list[str]:
    """The cases an account leaves behind: its team's cases (surveyors), the entrustments it entered."""
    cases = set(session.exec(select(Entrustment.case_id).where(Entrustment.created_by == account.username)))
    if account.role == AccountRole.SURVEYOR.value and account.team_id is not None:
        cases |= set(session.exec(select(Case.id).where(Case.team_id == account.team_id)))
    return sorted(cases)
