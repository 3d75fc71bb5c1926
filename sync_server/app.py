"""The composition root: settings -> engine, evidence store, clock -> routes, problem handler, console."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse

from schemas.protocol import API_PREFIX, PROTOCOL_VERSION
from schemas.workdays import HolidayTable
from sync_server.accounts import auth
from sync_server.api import api_router, odata_routes, unit_cert_auth
from sync_server.api.exchange_routes import PREFIX as EXCHANGE_PREFIX
from sync_server.api.exchange_routes import exchange_router
from sync_server.casework import findings
from sync_server.console import install_console
from sync_server.console.guard import require_console_csrf
from sync_server.console.log_alarm import LogAlarmContext
from sync_server.db import make_engine
from sync_server.documents.result_delivery import deliver_periodically
from sync_server.dossier.expiry import sweep_exports_periodically
from sync_server.edge.limits import Admission, BodyGuard
from sync_server.edge.problem_handlers import install_problem_handlers
from sync_server.edge.request_id import RequestId
from sync_server.evidence.chunked_uploads import PartialUploads
from sync_server.evidence.disk_store import BlobStore
from sync_server.evidence.partial_sweep import sweep_periodically
from sync_server.evidence.remote import object_store
from sync_server.office import cross_outbox
from sync_server.ops import backfills, gc_pause, health, metrics
from sync_server.ops.privacy import make_private_dir
from sync_server.services import Services, utc_now
from sync_server.settings import Settings


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The whole server as an ASGI app; nothing is read from the environment here."""
    make_private_dir(settings.data_dir)  # and every file written from now on 0600 (privacy.py)
    services = Services(settings=settings, engine=make_engine(settings.db_url, pool_size=settings.db_pool_size,
                                                          max_overflow=settings.db_max_overflow,
                                                          pool_timeout=settings.db_pool_timeout_s),
                        blobs=BlobStore(settings.evidence_dir, remote=object_store(settings)), clock=clock,
                        builtin_holidays=HolidayTable.builtin())
    with services.session() as session:  # records merged before findings were kept (revision 0011): once
        backfills.run_once(session, [("record_findings", lambda: findings.fill_missing(
            session, services.blobs, services.holidays(session), clock()))])
    uploads = PartialUploads(services.blobs)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        gc_pause.resume()  # a served start ran without the cyclic collector (ops/gc_pause.py)
        sweepers = [asyncio.create_task(sweep_periodically(uploads, settings)),  # abandoned partial uploads
                    asyncio.create_task(sweep_exports_periodically(settings)),  # expired dossier zips
                    asyncio.create_task(deliver_periodically(services)),  # results to units' systems (issue 20)
                    asyncio.create_task(cross_outbox.deliver_periodically(services)),  # R36 packages to agencies
                    asyncio.create_task(asyncio.to_thread(auth.dummy_hash))]  # made after start, not in it
        try:
            yield
        finally:
            for sweeper in sweepers:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper

    app = FastAPI(lifespan=lifespan, title="核查外勤同步服务 / field evidence sync server",
                  version=f"protocol {PROTOCOL_VERSION}",
                  description="平板上传签章调查记录与留证文件，服务器核验后并入核查案件；"
                              "审核人员通过 /console 查看。",
                  dependencies=[Depends(require_console_csrf)])  # acts on /console changes only
    app.state.services = services
    _ = services.display  # made now, not by the first two requests at once
    app.state.uploads = uploads
    install_problem_handlers(app, retry_after_s=settings.retry_after_s)
    app.add_middleware(LogAlarmContext, data_dir=settings.data_dir)  # the audit log's alarm banner
    app.include_router(api_router(), prefix=API_PREFIX)  # (a prefix given here spares a start 0.2 s: api/__init__)
    app.include_router(exchange_router(), prefix=EXCHANGE_PREFIX)  # /exchange/v1: the units' systems (issue 20)
    unit_cert_auth.install(app)  # their client certificates as OpenAPI's mutualTLS scheme
    odata_routes.install(app)  # the OData feed for Excel and Power BI (issue 20)
    install_console(app, settings.data_dir)
    app.include_router(health.router)  # /healthz, /readyz
    app.include_router(metrics.router)  # /metrics
    app.state.metrics = metrics.Metrics().watch(services, uploads)
    app.add_middleware(Admission, settings=settings)  # added last = outermost: RequestId, RequestMetrics,
    app.add_middleware(BodyGuard, settings=settings)  # BodyGuard, Admission
    app.add_middleware(metrics.RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(RequestId)  # the id every log line and problem answer of the request carries

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)

    return app
