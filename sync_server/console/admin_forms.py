"""What the administrator's console pages (issue 18) share: the administrators-only answer, and one way
to run a form through a service function: commit on success, roll back and say why in Chinese otherwise.

A refused form loses nothing: the page is shown again with the typed values (`form`) and the error."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from schemas.problems import Code, ProblemError, chinese_message
from schemas.protocol import AccountRole
from sync_server.accounts.auth import public
from sync_server.console.templating import page
from sync_server.tables import Account


def refuse_unless_admin(staff: Account) -> Response | None:
    """The 403 page for anyone but an administrator (R6), else None."""
    if staff.role != AccountRole.ADMIN.value:
        return page("error.html", status=403, staff=public(staff), message=chinese_message(Code.FORBIDDEN))
    return None


@dataclass
class Outcome:
    """What a form did: the notice to show, or the error and its status; the values typed."""

    notice: str = ""
    error: str = ""
    status: int = 200
    form: dict[str, str] = field(default_factory=dict)


def validation_text(error: ValidationError) -> str:
    """A pydantic error as one Chinese line: field, then what is wrong."""
    return "填写有误：" + "；".join(f"{'.'.join(str(p) for p in e['loc']) or '表单'}：{e['msg']}"
                                  for e in error.errors())


def run(session: Session, action: Callable[[], str], form: dict[str, str] | None = None) -> Outcome:
    """Run one form's service call; commit and return its notice, or roll back and return why."""
    typed = {k: v for k, v in (form or {}).items() if k != "csrf"}
    try:
        notice = action()
        session.commit()
    except ProblemError as problem:
        session.rollback()
        return Outcome(error=chinese_message(problem.code.value, problem.detail), status=problem.problem().status,
                       form=typed)
    except ValidationError as error:
        session.rollback()
        return Outcome(error=validation_text(error), status=422, form=typed)
    except ValueError as error:
        session.rollback()
        return Outcome(error=f"填写有误：{error}", status=422, form=typed)
    return Outcome(notice=notice)
