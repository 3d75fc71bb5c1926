"""The administrator's console for the office's structure (issue 18; R4, R7, R27, R33): the admin hub,
organisations, survey teams and their members (a new surveyor pair becomes a team of its own in one
form), and each person's posts. The API's service functions do the work (office/staff.py,
accounts/admin_actions.py), so the rules and the audit log entries are the API's."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from schemas.staffing import ORG_KIND_NAMES, POST_NAMES, NewOrganisation, NewTeam, Post
from sync_server.accounts import admin_actions
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.admin_forms import Outcome, refuse_unless_admin, run
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.office import staff
from sync_server.tables import Account, Organisation, Team

router = APIRouter(prefix="/console/admin", include_in_schema=False)


def _orgs(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))))


def _accounts(session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(col(Account.username))))


@router.get("")
def hub(staff_account: RequireStaff) -> Response:
    return refuse_unless_admin(staff_account) or page("admin_hub.html", staff=public(staff_account))


def _orgs_page(actor: Account, session: Session, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    people = {o.id: 0 for o in _orgs(session)}
    for account in _accounts(session):
        if account.org_id in people:
            people[account.org_id] += 1
    return page("admin_orgs.html", status=outcome.status, staff=public(actor), orgs=_orgs(session), people=people,
                kinds=ORG_KIND_NAMES, outcome=outcome)


@router.get("/organisations")
def organisations(staff_account: RequireStaff, session: DbSession) -> Response:
    return refuse_unless_admin(staff_account) or _orgs_page(staff_account, session)


@router.post("/organisations")
def add_organisation(form: Form, staff_account: RequireStaff, session: DbSession) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        body = NewOrganisation.model_validate({k: v.strip() for k, v in form.items() if k != "csrf"})
        org = staff.add_organisation(session, staff_account, body)
        return f"已添加机构 {org.name}（{ORG_KIND_NAMES[body.kind]}）"
    return _orgs_page(staff_account, session, run(session, act, form))


def _teams_page(actor: Account, session: Session, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    surveyors = [a for a in _accounts(session) if a.role == AccountRole.SURVEYOR.value and a.active]
    teams = list(session.exec(select(Team).order_by(col(Team.id))))
    members = {t.id: [a for a in surveyors if a.team_id == t.id] for t in teams}
    return page("admin_teams.html", status=outcome.status, staff=public(actor), teams=teams, members=members,
                surveyors=surveyors, team_names={t.id: t.name for t in teams}, outcome=outcome)


@router.get("/teams")
def teams(staff_account: RequireStaff, session: DbSession) -> Response:
    return refuse_unless_admin(staff_account) or _teams_page(staff_account, session)


@router.post("/teams")
def add_team(form: Form, staff_account: RequireStaff, session: DbSession) -> Response:
    """A new team; the surveyors chosen with it (a new pair, R7) move into it in the same transaction."""
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        body = NewTeam.model_validate({"id": form.get("id", "").strip(), "name": form.get("name", "").strip()})
        chosen = [u for u in (form.get("first", ""), form.get("second", "")) if u]
        if len(set(chosen)) != len(chosen):
            raise ProblemError(Code.VALIDATION, "两名成员须为不同的人")
        team = staff.add_team(session, staff_account, body)
        for username in chosen:
            staff.set_team(session, staff_account, username, team.id)
        joined = f"，成员 {'、'.join(chosen)}" if chosen else ""
        return f"已新建调查小组 {team.name}{joined}"
    return _teams_page(staff_account, session, run(session, act, form))


@router.post("/teams/{team_id}/members")
def add_member(team_id: str, form: Form, staff_account: RequireStaff, session: DbSession) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        account = staff.set_team(session, staff_account, form.get("username", ""), team_id)
        return f"{account.name} 已加入调查小组 {team_id}"
    return _teams_page(staff_account, session, run(session, act, form))


@router.post("/teams/{team_id}/members/{username}/remove")
def remove_member(team_id: str, username: str, staff_account: RequireStaff, session: DbSession) -> Response:
    if refused := refuse_unless_admin(staff_account):
        return refused

    def act() -> str:
        account = session.get(Account, username)
        if account is None or account.team_id != team_id:
            raise ProblemError(Code.NOT_FOUND, f"{username} 不在调查小组 {team_id}")
        staff.set_team(session, staff_account, username, None)
        return f"{account.name} 已移出调查小组 {team_id}"
    return _teams_page(staff_account, session, run(session, act))


def _posts_page(actor: Account, session: Session, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    people = [a for a in _accounts(session) if a.active and a.role != AccountRole.SURVEYOR.value]
    return page("admin_posts.html", status=outcome.status, staff=public(actor), people=people, posts=POST_NAMES,
                outcome=outcome)


@router.get("/posts")
def posts(staff_account: RequireStaff, session: DbSession) -> Response:
    return refuse_unless_admin(staff_account) or _posts_page(staff_account, session)


@router.post("/accounts/{username}/posts")
async def set_posts(username: str, request: Request, staff_account: RequireStaff, session: DbSession,
                    services: ServicesDep) -> Response:
    """The checked posts replace the person's posts (none checked: no post)."""
    if refused := refuse_unless_admin(staff_account):
        return refused
    async with request.form() as form:
        checked = [v for v in form.getlist("posts") if isinstance(v, str)]

    def act() -> str:
        chosen = [Post(v) for v in checked]
        account = admin_actions.set_posts(session, staff_account, username, chosen, services.clock())
        names = "、".join(POST_NAMES[p] for p in chosen) or "无岗位"
        return f"{account.name} 的岗位：{names}"
    return _posts_page(staff_account, session, run(session, act))
