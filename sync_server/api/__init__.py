"""The /api/v1 routes the tablet talks to (see schemas/protocol.py). Thin: they call the layers below."""
from functools import cache
from typing import Any

from fastapi import APIRouter, Depends

from schemas.problems import Problem
from sync_server.api import (
    admin_routes,
    auth_routes,
    batch_routes,
    case_routes,
    cross_routes,
    device_routes,
    disposal_routes,
    dossier_routes,
    evidence_routes,
    exchange_admin_routes,
    finding_routes,
    form_routes,
    intake_routes,
    key_routes,
    letter_routes,
    log_routes,
    record_routes,
    report_routes,
    review_routes,
    staff_routes,
    upload_routes,
)
from sync_server.api.deps import check_protocol


@cache
def api_router() -> APIRouter:
    """Every /api/v1 route, each checking `X-Protocol-Version` when sent. Built once per process: the
    routes hold no state of an app's own (they reach it through `request.app.state`), and FastAPI then
    builds each route's validation once, not in every `create_app` (0.4 s each)."""
    problem_schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
    problems: dict[int | str, dict[str, Any]] = {"4XX": {
        "model": Problem, "description": "问题（application/problem+json，见 schemas/problems.py）",
        "content": {"application/problem+json": problem_schema}}}
    # no prefix here: the app includes it under API_PREFIX (app.py), and FastAPI 0.165 checks an unprefixed
    # inclusion by building every nested route's dependency state, which the app never uses (issue 19)
    router = APIRouter(dependencies=[Depends(check_protocol)], responses=problems)
    # the routes a county's tablets call thousands of times an evening first: a request is matched
    # against the routes in order (about 90 before the uploads' otherwise, 0.5 ms a request)
    for module in (upload_routes, batch_routes, record_routes, evidence_routes, case_routes, auth_routes,
                   key_routes, intake_routes, staff_routes, dossier_routes, report_routes, review_routes,
                   finding_routes, letter_routes, admin_routes, disposal_routes, log_routes, form_routes,
                   exchange_admin_routes, cross_routes, device_routes):  # issue 20 (exchange), issue 18 (devices)
        router.include_router(module.router)
    return router
