"""Small named reads (and the odd write) on the server tables. Nothing here commits."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.tables import (
    Account,
    Case,
    EvidenceFile,
    Record,
    RecordEvidence,
    ReportVersion,
    Subject,
    SurveyorKey,
)


def may_see(account: Account, case: Case) -> bool:
    """Surveyors see their team's cases, township staff their unit's, reviewers their agency's, admins all."""
    role = AccountRole(account.role)
    if role == AccountRole.ADMIN:
        return True
    if role == AccountRole.REVIEWER:
        return account.org_id == case.agency_id
    if role == AccountRole.SURVEYOR:
        return account.team_id is not None and account.team_id == case.team_id
    return bool(account.unit) and account.unit == case.entrusting_unit


def visible(account: Account) -> ColumnElement[bool]:
    """`may_see` as a WHERE clause on cases."""
    role = AccountRole(account.role)
    if role == AccountRole.ADMIN:
        return true()
    if role == AccountRole.REVIEWER:
        return col(Case.agency_id) == account.org_id  # None: IS NULL (SQLAlchemy), as may_see compares
    if role == AccountRole.SURVEYOR:
        return false() if account.team_id is None else col(Case.team_id) == account.team_id
    return false() if not account.unit else col(Case.entrusting_unit) == account.unit


def visible_cases(session: Session, account: Account, *, after: tuple[int, str] | None = None,
                  limit: int | None = None) -> list[Case]:
    """The cases this account may see in the devices' list order (casework/device_order.py): a page of
    them after (listed_seq, id)."""
    query = select(Case).where(visible(account))
    if after is not None:
        listed, case_id = after
        query = query.where(or_(col(Case.listed_seq) > listed,
                                and_(col(Case.listed_seq) == listed, col(Case.id) > case_id)))
    query = query.order_by(col(Case.listed_seq), col(Case.id))
    return list(session.exec(query if limit is None else query.limit(limit)))


def visible_case(session: Session, account: Account, case_id: str) -> Case:
    """The case, if it exists and the account may see it; otherwise the matching problem."""
    case = session.get(Case, case_id)
    if case is None:
        raise ProblemError(Code.CASE_UNKNOWN, case_id, case_id=case_id)
    if not may_see(account, case):
        code = Code.CASE_NOT_ASSIGNED if account.role == AccountRole.SURVEYOR.value else Code.FORBIDDEN
        raise ProblemError(code, case_id, case_id=case_id)
    return case


def case_subjects(session: Session, case_id: str) -> list[Subject]:
    """The case's subjects in their listed order."""
    query = select(Subject).where(Subject.case_id == case_id).order_by(col(Subject.position))
    return list(session.exec(query))


def subjects_of(session: Session, case_ids: list[str]) -> dict[str, list[Subject]]:
    """The subjects of these cases in their listed order, in one query."""
    out: dict[str, list[Subject]] = {}
    if case_ids:
        query = select(Subject).where(col(Subject.case_id).in_(case_ids)).order_by(col(Subject.position))
        for subject in session.exec(query):
            out.setdefault(subject.case_id, []).append(subject)
    return out


def team_members_of(session: Session, team_ids: set[str]) -> dict[str, list[Account]]:
    """The active surveyors of these teams, by username, in one query (auth.team_members for many)."""
    out: dict[str, list[Account]] = {}
    if team_ids:
        query = select(Account).where(col(Account.team_id).in_(team_ids),
                                      Account.role == AccountRole.SURVEYOR.value, col(Account.active).is_(True))
        for account in session.exec(query.order_by(col(Account.username))):
            out.setdefault(account.team_id or "", []).append(account)
    return out


def case_records(session: Session, case_id: str) -> list[Record]:
    """The case's merged records, in the order they arrived."""
    query = select(Record).where(Record.case_id == case_id).order_by(col(Record.received_at), col(Record.id))
    return list(session.exec(query))


def accounts_by_username(session: Session, usernames: set[str]) -> dict[str, Account]:
    """The named accounts that exist."""
    if not usernames:
        return {}
    return {a.username: a for a in session.exec(select(Account).where(col(Account.username).in_(usernames)))}


def keys_of(session: Session, username: str) -> list[SurveyorKey]:
    """A user's registered public keys, oldest first."""
    query = select(SurveyorKey).where(SurveyorKey.username == username)
    query = query.order_by(col(SurveyorKey.registered_at))
    return list(session.exec(query))


def keys_by_id(session: Session, key_ids: set[str]) -> dict[str, SurveyorKey]:
    """The registered keys among these ids."""
    if not key_ids:
        return {}
    rows = session.exec(select(SurveyorKey).where(col(SurveyorKey.key_id).in_(key_ids)))
    return {k.key_id: k for k in rows}


def stored_sizes(session: Session, shas: set[str]) -> dict[str, int]:
    """Size of each of these files that is stored."""
    if not shas:
        return {}
    rows = session.exec(select(EvidenceFile).where(col(EvidenceFile.sha256).in_(shas)))
    return {r.sha256: r.size for r in rows}


def evidence_links(session: Session, sha256: str) -> list[RecordEvidence]:
    """The manifest entries, across records, that cite this file."""
    return list(session.exec(select(RecordEvidence).where(RecordEvidence.sha256 == sha256)))


def issued_reports(session: Session, case_id: str) -> list[ReportVersion]:
    """Every issued report version of a case, oldest first."""
    query = select(ReportVersion).where(ReportVersion.case_id == case_id).order_by(col(ReportVersion.version))
    return list(session.exec(query))
