"""The one place where problems become HTTP responses (`application/problem+json`)."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from schemas.problems import CHINESE, Code, Problem, ProblemError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_STATUS_CODES = {401: Code.AUTH_REQUIRED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """The HTTP form of a problem."""
    return JSONResponse(problem.model_dump(mode="json"), status_code=problem.status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.problem())


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    detail = "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem_response(ProblemError(Code.VALIDATION, detail, errors=jsonable_encoder(errors)).problem())


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, Code.VALIDATION)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    problem = Problem(code=code, title=CHINESE[code], status=exc.status_code, detail=detail)
    return problem_response(problem, headers=dict(exc.headers) if exc.headers else None)


def install_problem_handlers(app: FastAPI) -> None:
    """Render `ProblemError`, request validation errors and HTTP errors as problems."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
