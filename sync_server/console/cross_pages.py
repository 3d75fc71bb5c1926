"""Console pages of the cross-province checks (R36, §4.2.2; issue 18: nothing a role needs only by API).

For 信息交换岗 at both levels, /console/cross-province lists the checks of their agency with the two
deadlines (submit upward within 3 working days of recording the need; feed back within 3 working days of the
answer), overdue marked, and offers each step where it is due: submit (lower), confirm and answer (higher),
feed back (lower). Each row says whether this server's last package of the check reached the other
server (已送达 / 待发送 / 被拒收, or waiting behind a refused package of the same check,
office/cross_outbox.py), with 重新发送 for administrators, and, expanded, each attempt
(office/cross_attempts.py). A case's need is recorded from its page (/console/cases/{id}/cross-province).
For administrators, /console/admin/hierarchy sets each organisation's higher agency and registers the other
agencies' servers and keys. Every action calls the services the API calls (office/cross_steps.py,
office/cross_province.py), so the post checks, the signed packages and the audit entries are the API's."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from schemas.beijing import beijing_date
from schemas.exchange import CROSS_STATUS_NAMES, CrossAnswer, CrossStatus, NewCrossCheck, PackageState
from schemas.problems import Code, ProblemError, chinese_message
from sync_server.accounts.auth import public
from sync_server.api.cross_routes import ParentSet, PeerSet
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console.admin_forms import Outcome, refuse_unless_admin, run
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import page
from sync_server.office import cross_attempts, cross_outbox, cross_province, cross_steps
from sync_server.services import Services
from sync_server.tables import Account, ExchangePeer, Organisation, queries

router = APIRouter(prefix="/console", include_in_schema=False)
STEPS = {"submit": "已报送上级机构", "confirm": "已确认受理，并通知下级机构", "answer": "结果已返回下级机构",
         "feed-back": "结果已反馈，写入本案报告「其他信息类」"}


def _forbidden(staff: Account, problem: ProblemError) -> Response:
    return page("error.html", status=problem.problem().status, staff=public(staff),
                message=chinese_message(problem.code.value, problem.detail))


def _orgs(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))))


# --- the checks, at both levels -------------------------------------------------------------------------------

def _list_page(staff: Account, session: Session, services: Services, outcome: Outcome | None = None) -> Response:
    try:
        rows = cross_steps.visible_checks(session, staff)
    except ProblemError as problem:
        return _forbidden(staff, problem)
    today = beijing_date(services.clock())
    names = {o.id: o.name for o in _orgs(session)}
    checks = [(r, CROSS_STATUS_NAMES[CrossStatus(r.status)], cross_steps.overdue(r, today)) for r in rows]
    ids = [r.id for r in rows]
    outcome = outcome or Outcome()
    return page("cross_province.html", status=outcome.status, staff=public(staff), checks=checks, names=names,
                outcome=outcome, today=today, packages=cross_outbox.check_views(session, ids),
                attempts=cross_attempts.attempts(session, ids))


@router.get("/cross-province")
def cross_list(staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return _list_page(staff, session, services)


@router.post("/cross-province/{check_id}/{action}")
def cross_step(check_id: str, action: str, form: Form, staff: RequireStaff, session: DbSession,
               services: ServicesDep) -> Response:
    taken: list[cross_steps.Step] = []

    def act() -> str:
        if action == "submit":
            taken.append(cross_steps.submit(session, services, staff, check_id))
        elif action == "confirm":
            taken.append(cross_steps.confirm(session, services, staff, check_id))
        elif action == "answer":
            taken.append(cross_steps.answer(session, services, staff, check_id, CrossAnswer.model_validate(
                {"answer": form.get("answer", "").strip()}).answer))
        elif action == "feed-back":
            cross_steps.feed_back(session, services, staff, check_id)
        elif action == "resend":  # its own sessions and commits: nothing left for run() to commit
            cross_outbox.resend(services, staff, check_id)
            return f"{check_id}：{_delivery(session, check_id)}"
        else:
            raise ProblemError(Code.NOT_FOUND, action)
        return f"{check_id}：{STEPS[action]}"

    outcome = run(session, act, form | {"check_id": check_id})
    if taken and not outcome.error:  # committed by run(): now try the package once
        cross_steps.send_after_commit(services, taken[0], by=f"console:{staff.username}")
        outcome = Outcome(notice=f"{outcome.notice}；{_delivery(session, check_id)}")
    return _list_page(staff, session, services, outcome)


def _delivery(session: Session, check_id: str) -> str:
    """What became of the check's last package, just sent, for the notice."""
    view = cross_outbox.check_views(session, [check_id]).get(check_id)
    assert view is not None
    if view.state == PackageState.HELD:
        return f"本步骤已办理，数据包{view.text}"
    if view.state == PackageState.PENDING:
        return f"对方服务器暂时无法连接，数据包已签发并保存，将自动重发（{view.text}），本步骤已办理"
    return f"数据包{view.text}"


# --- a case's need (from the case page) -------------------------------------------------------------------------

def _case_page(staff: Account, session: Session, services: Services, case_id: str,
               outcome: Outcome | None = None, chosen: list[str] | None = None) -> Response:
    try:
        cross_steps.visible_checks(session, staff)  # agency staff only, as the list
        case = queries.visible_case(session, staff, case_id)
    except ProblemError as problem:
        return _forbidden(staff, problem)
    checks = cross_attempts.case_checks(session, case.id, beijing_date(services.clock()))
    outcome = outcome or Outcome()
    return page("case_cross.html", status=outcome.status, staff=public(staff), case=case,
                subjects=queries.case_subjects(session, case.id), checks=checks, outcome=outcome,
                chosen=chosen or [])


@router.get("/cases/{case_id}/cross-province")
def case_cross(case_id: str, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    return _case_page(staff, session, services, case_id)


@router.post("/cases/{case_id}/cross-province")
async def record_need(case_id: str, request: Request, staff: RequireStaff, session: DbSession,
                      services: ServicesDep) -> Response:
    async with request.form() as form:
        chosen = [str(v) for v in form.getlist("subject_id")]
        typed = {k: str(v) for k, v in form.items() if k != "subject_id"}

    def act() -> str:
        case = queries.visible_case(session, staff, case_id)
        body = NewCrossCheck.model_validate({"subject_ids": chosen, "question": typed.get("question", "").strip()})
        row = cross_province.request_check(session, staff, case, body, services.clock(), services.holidays(session))
        return f"已登记跨省核查 {row.id}，请在 {row.submit_due} 前报送上级机构"

    outcome = run(session, act, typed)
    return _case_page(staff, session, services, case_id, outcome, chosen if outcome.error else [])


# --- the hierarchy and the other agencies' servers (administrators) -------------------------------------------

def _hierarchy_page(staff: Account, session: Session, outcome: Outcome | None = None) -> Response:
    outcome = outcome or Outcome()
    peers = {p.org_id: p for p in session.exec(select(ExchangePeer).order_by(col(ExchangePeer.org_id)))}
    return page("admin_hierarchy.html", status=outcome.status, staff=public(staff), orgs=_orgs(session),
                peers=peers, outcome=outcome)


@router.get("/admin/hierarchy")
def hierarchy(staff: RequireStaff, session: DbSession) -> Response:
    return refuse_unless_admin(staff) or _hierarchy_page(staff, session)


@router.post("/admin/hierarchy/parent")
def set_parent(form: Form, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff):
        return refused

    def act() -> str:
        body = ParentSet.model_validate({"parent_id": form.get("parent_id", "").strip() or None})
        org = cross_province.set_parent(session, staff, form.get("org_id", ""), body.parent_id, services.clock())
        return f"{org.name} 的上级机构：{body.parent_id or '无'}"

    return _hierarchy_page(staff, session, run(session, act, form))


@router.post("/admin/hierarchy/peers")
def set_peer(form: Form, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    if refused := refuse_unless_admin(staff):
        return refused

    def act() -> str:
        body = PeerSet.model_validate({"base_url": form.get("base_url", "").strip(),
                                       "public_key": form.get("public_key", "").strip()})
        peer = cross_province.register_peer(session, staff, form.get("org_id", ""), body.base_url, body.public_key,
                                            services.clock())
        return f"已登记机构 {peer.org_id} 的服务器 {peer.base_url}（密钥 {peer.key_id}）"

    return _hierarchy_page(staff, session, run(session, act, form))
