"""The composition root: settings -> engine, evidence store, clock -> routes, problem handler, console."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse

from schemas.protocol import PROTOCOL_VERSION
from schemas.workdays import HolidayTable
from sync_server.api import api_router
from sync_server.blobs import BlobStore
from sync_server.console import console_router
from sync_server.console.guard import install_console_guard, require_console_csrf
from sync_server.db import make_engine
from sync_server.limits import BodyLimit
from sync_server.problem_handlers import install_problem_handlers
from sync_server.services import Services, utc_now
from sync_server.settings import Settings


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The whole server as an ASGI app; nothing is read from the environment here."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings=settings, engine=make_engine(settings.db_url),
                        blobs=BlobStore(settings.evidence_dir), clock=clock,
                        builtin_holidays=HolidayTable.builtin())
    app = FastAPI(title="核查外勤同步服务 / field evidence sync server",
                  version=f"protocol {PROTOCOL_VERSION}",
                  description="平板上传签章调查记录与留证文件，服务器核验后并入核查案件；"
                              "审核人员通过 /console 查看。",
                  dependencies=[Depends(require_console_csrf)])  # acts on /console changes only
    app.state.services = services
    install_problem_handlers(app)
    install_console_guard(app, settings.data_dir)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.include_router(api_router())
    app.include_router(console_router())

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)

    return app
