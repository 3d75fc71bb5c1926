"""The OData v4 feed at /odata/v1 (issue 20; documents/odata.py): what Excel and Power BI read.

Served at /odata/v1 and at /console/odata/v1 (where the console's cookie is sent). Signed in like the
console (its cookie, in a browser) or with a staff token (`Authorization: Bearer`,
from POST /api/v1/auth/login), and only for agency staff (reviewers, administrators): a tablet's token
or a surveyor is refused. It reads only, so it needs no CSRF token. Not in the OpenAPI document: OData
describes itself in $metadata. Every feed read is in the audit log, as every export is (R21)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import ColumnElement

from schemas.beijing import beijing_date
from schemas.problems import Code, ProblemError
from schemas.protocol import AccountRole
from sync_server.accounts.auth import CONSOLE, live_token
from sync_server.api.deps import DbSession, ServicesDep
from sync_server.casework.reviewer_list import Filters
from sync_server.console.deps import console_account
from sync_server.documents import odata
from sync_server.documents.exports import count_cases, rows
from sync_server.tables import Account
from sync_server.transparency import audit

router = APIRouter(include_in_schema=False)
PREFIXES = ("/odata/v1", "/console/odata/v1")  # a staff token anywhere; the console cookie (path /console)
HEADERS = {"OData-Version": "4.0", "Cache-Control": "no-store"}
JSON = "application/json;odata.metadata=minimal;charset=utf-8"


def feed_reader(request: Request, session: DbSession, services: ServicesDep) -> Account:
    """The staff member reading the feed: a console bearer token, or the console cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = live_token(session, header[7:].strip(), services.clock(), kind=CONSOLE)
        account = found[1] if found else None
    else:
        account = console_account(request, session, services)
    if account is None:
        raise ProblemError(Code.AUTH_REQUIRED, "请先登录，或以工作人员令牌访问 OData 数据源")
    if account.role not in (AccountRole.REVIEWER.value, AccountRole.ADMIN.value):
        raise ProblemError(Code.FORBIDDEN, "OData 数据源仅供核查机构的人员使用")
    return account


def install(app: FastAPI) -> None:
    """The feed at both prefixes."""
    for prefix in PREFIXES:
        app.include_router(router, prefix=prefix)


def base_url(request: Request) -> str:
    """The service root the request came through, ending in a slash."""
    prefix = PREFIXES[1] if request.url.path.startswith(PREFIXES[1]) else PREFIXES[0]
    return f"{str(request.base_url).rstrip('/')}{prefix}/"


@router.get("/")
def service(request: Request, session: DbSession, services: ServicesDep) -> Response:
    feed_reader(request, session, services)
    return Response(json.dumps(odata.service_document(base_url(request)), ensure_ascii=False), media_type=JSON,
                    headers=HEADERS)


@router.get("/$metadata")
def metadata(request: Request, session: DbSession, services: ServicesDep) -> Response:
    feed_reader(request, session, services)
    return Response(odata.metadata(), media_type="application/xml", headers=HEADERS)


@router.get("/{entity_set}/$count")
def count(entity_set: str, request: Request, session: DbSession, services: ServicesDep,
          filter_: Annotated[str, Query(alias="$filter", max_length=2000)] = "") -> Response:
    account = feed_reader(request, session, services)
    dataset = odata.dataset_of(entity_set)
    sql, rest = odata.pushed(odata.parse_filter(filter_, dataset), dataset)
    return Response(str(_count(session, account, dataset.name, sql, rest, services.clock())),
                    media_type="text/plain", headers=HEADERS)


def _count(session: DbSession, account: Account, dataset: str, sql: list[ColumnElement[bool]],
           rest: list[odata.Comparison], now: datetime) -> int:
    """Cases filtered on their own fields are counted in SQL; anything else row by row."""
    if dataset == "cases" and not rest:
        return count_cases(session, account, Filters(), beijing_date(now), sql)
    return sum(1 for _ in odata.matching(rows(session, account, dataset, Filters(), now, sql), rest))


@router.get("/{entity_set}")
def entity_set_page(entity_set: str, request: Request, session: DbSession, services: ServicesDep,
                    top: Annotated[int | None, Query(alias="$top", ge=0)] = None,
                    skip: Annotated[int, Query(alias="$skip", ge=0)] = 0,
                    filter_: Annotated[str, Query(alias="$filter", max_length=2000)] = "",
                    count_: Annotated[str, Query(alias="$count")] = "false",
                    select_: Annotated[str, Query(alias="$select", max_length=2000)] = "",
                    orderby: Annotated[str, Query(alias="$orderby", max_length=2000)] = "",
                    format_: Annotated[str, Query(alias="$format", max_length=100)] = "") -> Response:
    """One page of the set, streamed: `{"@odata.context", ["@odata.count",] "value": [...],
    ["@odata.nextLink"]}`; a sorted one is gathered first (documents/odata.py)."""
    account = feed_reader(request, session, services)
    dataset = odata.dataset_of(entity_set)
    odata.refuse_unsupported(list(request.query_params), format_)
    comparisons = odata.parse_filter(filter_, dataset)
    select, order = odata.parse_select(select_, dataset), odata.parse_orderby(orderby, dataset)
    sql, rest = odata.pushed(comparisons, dataset)
    now = services.clock()
    total = None
    if count_.lower() == "true":
        total = _count(session, account, dataset.name, sql, rest, now)
    audit.log(session, "export.odata", now, account.username, None, entity_set, query=str(request.url.query)[:500])
    session.commit()
    size = odata.page_size(request.headers.get("prefer", ""), top)
    username, base = account.username, base_url(request)
    ordered = None
    if order:  # gathered here, so a sort too big is refused before the answer starts
        entities = (odata.entity(row, dataset)
                    for row in odata.matching(rows(session, account, dataset.name, Filters(), now, sql), rest))
        ordered = odata.sorted_entities(entities, order)
    context = f"{base}$metadata#{entity_set}" + (f"({','.join(select)})" if select else "")

    def body() -> Iterator[bytes]:
        head: dict[str, object] = {"@odata.context": context}
        if total is not None:
            head["@odata.count"] = total
        yield (json.dumps(head, ensure_ascii=False)[:-1] + ',"value":[').encode()
        sent = 0
        with services.session() as own:
            if ordered is not None:
                found: Iterator[dict] = iter(ordered)
            else:
                reader = own.get(Account, username)
                assert reader is not None
                found = (odata.entity(row, dataset) for row in
                         odata.matching(rows(own, reader, dataset.name, Filters(), now, sql), rest))
            for item in islice(found, skip, skip + size + 1):
                if sent == size:  # one more exists: the client asks for the next page
                    left = None if top is None else top - size
                    if left is None or left > 0:
                        args = {"$skip": str(skip + size), "$filter": filter_, "$select": select_,
                                "$orderby": orderby}
                        if left is not None:
                            args["$top"] = str(left)
                        link = f"{base}{entity_set}?{urlencode({k: v for k, v in args.items() if v})}"
                        yield (']' + f',"@odata.nextLink":{json.dumps(link)}' + '}').encode()
                        return
                    break
                yield ((b"," if sent else b"") + json.dumps(odata.projected(item, select), ensure_ascii=False).encode())
                sent += 1
        yield b"]}"

    return StreamingResponse(body(), media_type=JSON, headers=HEADERS)
