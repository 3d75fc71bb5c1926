"""The director's dashboard (统计, issue 20): figures over a chosen period, each chart (inline SVG, drawn
here) with its table below and an XLSX download; the quality assessment of each person (§4.3.5, R37);
and the staff whose pledge or training is missing or ends within 30 days (R5, R34, R41).

Agency staff see it (reviewers: their agency's cases; administrators: all); township clerks do not."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from markupsafe import Markup

from schemas.beijing import beijing_date
from schemas.findings import LABELS as FINDING_LABELS
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from schemas.staffing import Post
from sync_server.accounts.auth import public
from sync_server.accounts.posts import holds
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.console import charts
from sync_server.console.deps import Form, RequireStaff
from sync_server.console.templating import current_csrf_token, page, templates
from sync_server.office import dashboard, dashboard_tables, quality, staff_gates
from sync_server.tables import Account

router = APIRouter(prefix="/console", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(args: dict[str, str], today: date) -> tuple[date, date]:
    """The period asked (from, to), by default this year up to today."""
    try:
        start = date.fromisoformat(args["from"]) if args.get("from") else date(today.year, 1, 1)
        end = date.fromisoformat(args["to"]) if args.get("to") else today
    except ValueError:
        raise ProblemError(Code.VALIDATION, "统计期间的日期格式应为 年-月-日，如 2026-01-01") from None
    if end < start or (end - start).days > 366 * 3:
        raise ProblemError(Code.VALIDATION, "统计期间须从开始日期到结束日期，且不超过三年")
    return start, end


def _agency_staff(staff: Account) -> None:
    if staff.role not in (AccountRole.REVIEWER.value, AccountRole.ADMIN.value):
        raise ProblemError(Code.FORBIDDEN, "统计页面仅供核查机构的人员查看")


def _figures(staff: Account, args: dict[str, str], session: DbSession,
             services: ServicesDep) -> dashboard.Figures:
    _agency_staff(staff)
    now = services.clock()
    start, end = _period(args, beijing_date(now))
    return dashboard.figures(session, staff, start, end, now, services.holidays(session))


def _problem_page(staff: Account, problem: ProblemError) -> Response:
    return page("error.html", status=problem.problem().status, staff=public(staff), back="/console/dashboard",
                message=chinese_message(problem.code.value, problem.detail))


def chart_of(table: dashboard_tables.Table, out: dashboard.Figures) -> Markup | None:
    """The chart drawn over a table (None: the table alone)."""
    if table.name == "weeks":
        return charts.line_chart("每周受理与办结（按受理周）", [r[0][5:] for r in table.rows],  # type: ignore[index]
                                 {"受理": [t.received for t in out.by_week.values()],
                                  "办结": [t.done for t in out.by_week.values()],
                                  "逾期": [t.overdue for t in out.by_week.values()]})
    if table.name in ("teams", "agencies", "units"):
        return charts.bar_chart(f"{table.title}的按期率（%）",
                                [(str(r[0]), r[5] or 0) for r in table.rows], "%")  # type: ignore[misc]
    if table.name == "findings":
        return charts.bar_chart("留证发现（记录数）", [(FINDING_LABELS[str(r[1])][:16], r[2] or 0)  # type: ignore[misc]
                                                 for r in table.rows if r[2]])
    if table.name == "reasons":
        return charts.bar_chart("退回原因（次数）", [(str(r[0]), r[1] or 0) for r in table.rows])  # type: ignore[misc]
    return None


@dataclass(frozen=True)
class Period:
    period_from: date
    period_to: date
    today: date


@router.get("/dashboard")
def dashboard_page(request: Request, staff: RequireStaff, session: DbSession, services: ServicesDep) -> Response:
    """The page's frame (header, the period form) at once, then the figures as soon as they are counted: a
    director sees the page start while a year of cases is counted (issue 20: first byte within a second)."""
    now = services.clock()
    try:
        _agency_staff(staff)
        start, end = _period(dict(request.query_params), beijing_date(now))
    except ProblemError as problem:
        return _problem_page(staff, problem)
    query = f"from={start.isoformat()}&to={end.isoformat()}"
    frame = templates.get_template("dashboard.html").render(staff=public(staff), query=query,
                                                             out=Period(start, end, beijing_date(now)))
    head, tail = frame.split("<!--FIGURES-->", 1)
    username, csrf_token = staff.username, current_csrf_token.get()

    def body() -> Iterator[bytes]:
        yield head.encode()
        with services.session() as own:
            reader = own.get(Account, username)
            assert reader is not None
            out = dashboard.figures(own, reader, start, end, now, services.holidays(own))
            tables = dashboard_tables.tables(out)
            org = reader.org_id if reader.role == AccountRole.REVIEWER.value else None
            yield templates.get_template("dashboard_figures.html").render(
                out=out, tables=tables, query=query, charts={name: chart_of(t, out) for name, t in tables.items()},
                reminders=staff_gates.reminders(own, out.today, org), grades=quality.GRADES,
                may_assess=holds(reader, Post.DIRECTOR), csrf_token=csrf_token,
                assessed=quality.assessments(own, out.period_from, out.period_to)).encode()
        yield tail.encode()

    return StreamingResponse(body(), media_type="text/html; charset=utf-8")


@router.get("/dashboard/{name}.xlsx")
def dashboard_xlsx(name: str, request: Request, staff: RequireStaff, session: DbSession,
                   services: ServicesDep) -> Response:
    """One table (or `all` of them) as an XLSX workbook."""
    try:
        out = _figures(staff, dict(request.query_params), session, services)
        tables = dashboard_tables.tables(out)
        if name != "all" and name not in tables:
            raise ProblemError(Code.NOT_FOUND, f"没有名为“{name}”的统计表")
    except ProblemError as problem:
        return _problem_page(staff, problem)
    chosen = list(tables.values()) if name == "all" else [tables[name]]
    filename = f"dashboard-{name}-{out.period_from.isoformat()}-{out.period_to.isoformat()}.xlsx"
    return Response(dashboard_tables.workbook(chosen, out), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/dashboard/assessments")
def post_assessment(staff: RequireStaff, form: Form, session: DbSession, services: ServicesDep) -> Response:
    """A manager records the period's assessment of one person, with their figures as shown (R37)."""
    try:
        out = _figures(staff, form, session, services)
        username = form.get("username", "")
        quality.assess(session, staff, username, out.period_from, out.period_to, form.get("grade", ""),
                       form.get("remarks", ""), out.by_person.get(username), services.clock())
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return _problem_page(staff, problem)
    where = f"from={quote(out.period_from.isoformat())}&to={quote(out.period_to.isoformat())}"
    return RedirectResponse(f"/console/dashboard?{where}#assessments", status_code=303)
