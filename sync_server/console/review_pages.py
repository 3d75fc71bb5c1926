"""Console pages of the office side: the filtered case list, and the review, round and letter forms of a
case. Each form posts here and calls the same service functions as the /api/v1 routes."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from schemas.letters import FollowUpIn, LetterIn
from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from schemas.review import Objection, ReviewAction, RoundResult
from sync_server.accounts.auth import public
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.casework import review, reviewer_list, rounds, seal_checks
from sync_server.casework.rounds import CHINA
from sync_server.console.deps import Form, RequireStaff, Staff
from sync_server.console.templating import page
from sync_server.office import letters
from sync_server.office.letter_answers import upload_answer
from sync_server.tables import Account, Case, Record, queries

router = APIRouter(prefix="/console", include_in_schema=False)
FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "cjk.ttf"


def _local(value: str) -> str:
    """A datetime-local field (Beijing time) as ISO 8601 with its zone."""
    return datetime.fromisoformat(value).replace(tzinfo=CHINA).isoformat() if value else value


def _act(staff: Account, session: DbSession, case_id: str, anchor: str,
         action: Callable[[Case], None]) -> Response:
    """Run one form's action on a visible case, commit, and go back to the case's section (PRG)."""
    try:
        action(queries.visible_case(session, staff, case_id))
        session.commit()
    except ProblemError as problem:
        session.rollback()
        status = problem.problem().status
        return page("error.html", status=status, staff=public(staff),
                     message=chinese_message(problem.code.value, problem.detail), back=f"/console/cases/{case_id}")
    except ValidationError as error:
        session.rollback()
        fields = "、".join(str(e["loc"][-1]) for e in error.errors())
        return page("error.html", status=422, staff=public(staff), back=f"/console/cases/{case_id}",
                     message=chinese_message(Code.VALIDATION.value, f"请检查：{fields}"))
    return RedirectResponse(f"/console/cases/{case_id}#{anchor}", status_code=303)


@router.get("/fonts/cjk.ttf")
def font() -> FileResponse:
    return FileResponse(FONT, media_type="font/ttf", headers={"Cache-Control": "public, max-age=604800"})


@router.get("/cases")
def case_list_page(request: Request, staff: RequireStaff, session: DbSession,
                   services: ServicesDep) -> Response:
    args = request.query_params
    number = int(args["page"]) if args.get("page", "").isdigit() else 1
    filters = reviewer_list.Filters(township=args.get("township", ""), team=args.get("team", ""),
                                    status=args.get("status", ""), due=args.get("due", ""),
                                    q=args.get("q", "")[:40], page=max(number, 1))
    result = reviewer_list.case_page(session, staff, filters, services.clock())
    return page("cases.html", staff=public(staff), result=result, filters=filters,
                choices=reviewer_list.choices(session, staff))


@router.post("/cases/{case_id}/review")
def post_review(case_id: str, staff: RequireStaff, form: Form, session: DbSession,
                services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        body = ReviewAction.model_validate({k: form.get(k, "") for k in ("action", "target", "reason")})
        review.decide(session, case, staff, body, services.clock())
    return _act(staff, session, case_id, "review", act)


@router.post("/cases/{case_id}/records/{record_id}/verify")
def post_reverify(case_id: str, record_id: str, staff: RequireStaff, session: DbSession,
                  services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        if staff.role != AccountRole.REVIEWER.value:
            raise ProblemError(Code.FORBIDDEN, "仅审核人员可以重新验证签章")
        row = session.get(Record, record_id)
        if row is None or row.case_id != case.id:
            raise ProblemError(Code.REVIEW_INVALID, f"本案没有“{record_id}”", target=record_id)
        seal_checks.reverify(session, row, staff.username, services.clock())
    return _act(staff, session, case_id, f"record-{record_id}", act)


@router.post("/cases/{case_id}/rounds")
def post_round(case_id: str, staff: RequireStaff, form: Form, session: DbSession,
               services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        methods = [m for m in form.get("methods", "").split(",") if m]
        body = Objection.model_validate({**form, "methods": methods or case.required_checks})
        rounds.open_round(session, case, staff, body, services.clock())
    return _act(staff, session, case_id, "rounds", act)


@router.post("/cases/{case_id}/rounds/{number}/result")
def post_result(case_id: str, number: int, staff: RequireStaff, form: Form, session: DbSession,
                services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        body = RoundResult.model_validate({**form, "fed_back_on": form.get("fed_back_on") or date.today()})
        rounds.close_round(session, case, number, staff, body, services.clock())
    return _act(staff, session, case_id, "rounds", act)


@router.post("/cases/{case_id}/letters")
def post_letter(case_id: str, staff: RequireStaff, form: Form, session: DbSession,
                services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        letters.require_reviewer(staff)
        body = LetterIn.model_validate({**form, "sent_at": _local(form.get("sent_at", "")),
                                        "stamp_requested": form.get("stamp_requested") == "on",
                                        "encrypted": form.get("encrypted") == "on"})
        letters.add_letter(session, case, staff, body, services.clock())
    return _act(staff, session, case_id, "letters", act)


@router.post("/cases/{case_id}/letters/{letter_id}/follow-ups")
def post_follow_up(case_id: str, letter_id: str, staff: RequireStaff, form: Form, session: DbSession,
                   services: ServicesDep) -> Response:
    def act(case: Case) -> None:
        letters.require_reviewer(staff)
        body = FollowUpIn(at=services.clock(), note=form.get("note", ""))
        letters.add_follow_up(session, letters.letter_of(session, case, letter_id), staff, body)
    return _act(staff, session, case_id, "letters", act)


@router.get("/letters.js")
def letters_script() -> FileResponse:
    return FileResponse(Path(__file__).with_name("letters.js"), media_type="text/javascript")


@router.put("/cases/{case_id}/letters/{letter_id}/answer")
async def put_answer(case_id: str, letter_id: str, request: Request, staff: Staff,
                     services: ServicesDep) -> Response:
    if staff is None:
        return JSONResponse({"message": chinese_message(Code.AUTH_REQUIRED.value)}, status_code=401)
    try:
        await upload_answer(services, staff, case_id, letter_id, request.stream())
    except ProblemError as problem:
        return JSONResponse({"message": chinese_message(problem.code.value, problem.detail)},
                            status_code=problem.problem().status)
    return JSONResponse({"message": "回复文件已保存"})
