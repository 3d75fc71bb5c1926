"""Prometheus metrics at `GET /metrics` (prometheus-client's text format), one registry per app.

What an operator needs to see a county's morning sync go wrong before the phone rings:
- `sync_http_requests_total{method,route,status}` and `sync_http_request_duration_seconds{method,route}`,
  by route TEMPLATE (`/api/v1/evidence/{sha256}`), never the raw path, so the series stay few;
  a request refused before routing (limits) is `route="<none>"`.
- `sync_busy_answers_total{kind}`: `server.busy` answers (503), uploads apart from other requests.
- `sync_records_ingested_total{outcome}`: each `POST /records` answer: `merged`, `already_merged`, or the
  problem code it was refused with (read from the small JSON answer itself, so ingest needs no hook).
- `sync_in_progress{kind}`: uploads and other requests being served now (what Admission counts).
- `sync_queue_depth{queue}`: display copies waiting for the background makers (`display_warm`) and
  resumable uploads not yet finished (`partial_uploads`), read at scrape time.

Several worker processes (`--workers N`) share one set of figures: the server sets
`PROMETHEUS_MULTIPROC_DIR` (data/metrics, emptied at each start) before prometheus-client loads, each worker
writes its counters there, and whichever worker is scraped sums them all (prometheus-client's multiprocess
mode); the in-progress gauge sums the live workers only, a dead worker's share is dropped at the next scrape.
Without that, each scrape reached one worker at random and its counters went up and down between scrapes. The
display-copy backlog is a queue inside each worker: with several workers it is not reported.

Not for everyone: answered to loopback callers that did not come through a proxy (a request carrying
`X-Forwarded-For`, `X-Real-IP` or `Forwarded` came from outside, even if nginx connects from
127.0.0.1), or to any caller with `Authorization: Bearer <metrics_token>` when that setting is set.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.problems import Code, ProblemError
from schemas.protocol import API_PREFIX
from sync_server.edge.limits import is_upload

if TYPE_CHECKING:
    from sync_server.evidence.chunked_uploads import PartialUploads
    from sync_server.services import Services

SHARED_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own name; set by serve_workers only
METRICS_PATH = "/metrics"
RECORDS_ROUTE = f"{API_PREFIX}/records"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_PROXY_HEADERS = {b"x-forwarded-for", b"x-real-ip", b"forwarded"}
_MAX_ANSWER_READ = 64 * 1024
router = APIRouter(include_in_schema=False)


class Metrics:
    """The app's own registry and instruments (no process-wide state: two apps, two registries), or, in a
    worker of several, the instruments whose values all workers write to the shared directory."""

    def __init__(self) -> None:
        self.shared_dir = os.environ.get(SHARED_DIR_ENV) or None
        self.registry = CollectorRegistry()
        self.gauges: Collector | None = None
        self.requests = Counter("sync_http_requests", "HTTP requests answered, by route template and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("sync_http_request_duration_seconds", "Time to answer, by route template",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.busy = Counter("sync_busy_answers", "server.busy answers (503)", ["kind"], registry=self.registry)
        self.records = Counter("sync_records_ingested", "POST /records answers by outcome", ["outcome"],
                               registry=self.registry)
        self.running = Gauge("sync_in_progress", "Requests being served now", ["kind"], registry=self.registry,
                             multiprocess_mode="livesum")
        for kind in ("upload", "request"):
            self.running.labels(kind).set(0)

    def watch(self, services: Services, uploads: PartialUploads) -> Metrics:
        """Add the gauges read from the app's services when scraped (queue depths)."""
        self.gauges = _Gauges(services, uploads, per_worker=self.shared_dir is None)
        self.registry.register(self.gauges)
        return self

    def forget(self) -> None:
        """Drop the counts so far: the demo seed's requests, made through the app before it serves."""
        for metric in (self.requests, self.latency, self.busy, self.records):
            metric.clear()

    def exposition(self) -> CollectorRegistry:
        """What a scrape reads: this app's registry, or every worker's values summed from the shared directory
        (after dropping the live gauges of workers that are gone) and this worker's scrape-time gauges."""
        if self.shared_dir is None:
            return self.registry
        from prometheus_client import multiprocess

        for name in os.listdir(self.shared_dir):
            pid = name.rsplit("_", 1)[-1].removesuffix(".db")
            if name.startswith("gauge_live") and pid.isdigit() and not _alive(int(pid)):
                multiprocess.mark_process_dead(int(pid), self.shared_dir)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, self.shared_dir)
        if self.gauges is not None:
            registry.register(self.gauges)
        return registry


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Gauges(Collector):
    """Values read when scraped: queue depths (the display-copy queue only when this process is the server)."""

    def __init__(self, services: Services, uploads: PartialUploads, per_worker: bool) -> None:
        self.services, self.uploads, self.per_worker = services, uploads, per_worker

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges, as they stand now."""
        queues = GaugeMetricFamily("sync_queue_depth", "Work waiting", labels=["queue"])
        if self.per_worker:
            queues.add_metric(["display_warm"], self.services.display.backlog())
        queues.add_metric(["partial_uploads"], _partial_uploads(self.uploads))
        yield queues


def _partial_uploads(uploads: PartialUploads) -> int:
    """Resumable uploads begun and not finished (one `.state` file each)."""
    try:
        return sum(1 for p in uploads.root.iterdir() if p.name.endswith(".state"))
    except FileNotFoundError:
        return 0


def route_templates(app: ASGIApp) -> dict[int, str]:
    """Each route object's full path template. FastAPI 0.16x keeps included routers nested, so the route a
    request matched (`scope["route"]`) knows only its path inside its router (`/cases/{case_id}`); its
    full template (`/api/v1/cases/{case_id}`) comes from the app's route contexts (tested)."""
    routes = getattr(app, "routes", [])
    return {id(context.original_route): str(context.path) for context in iter_route_contexts(routes)
            if context.path}


class RequestMetrics:
    """Counts and times every HTTP request (inside RequestId, outside the limits, so refusals count)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self.templates: dict[int, str] | None = None  # built at the first request, when every route is in

    def _route_of(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return "<none>"  # refused before routing (limits), or no route matched
        if self.templates is None:
            self.templates = route_templates(scope["app"])
        return self.templates.get(id(route)) or str(getattr(route, "path", "<none>"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload, began, status = is_upload(scope), time.perf_counter(), 500
        ingest = scope.get("method") == "POST" and scope.get("path") == RECORDS_ROUTE
        answer = bytearray()

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif ingest and message["type"] == "http.response.body" and len(answer) < _MAX_ANSWER_READ:
                answer.extend(message.get("body", b"")[:_MAX_ANSWER_READ])
            await send(message)

        running = self.metrics.running.labels("upload" if upload else "request")
        running.inc()
        try:
            await self.app(scope, receive, observed)
        finally:
            running.dec()
            method, route = str(scope.get("method", "")), self._route_of(scope)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - began)
            if status == 503:
                self.metrics.busy.labels("upload" if upload else "request").inc()
            if ingest:
                self.metrics.records.labels(_outcome(bytes(answer), status)).inc()


def _outcome(answer: bytes, status: int) -> str:
    """`merged` / `already_merged` from a record result, the code from a problem, else `http.<status>`."""
    try:
        body = json.loads(answer)
    except ValueError:
        return f"http.{status}"
    value = body.get("status") if status == 200 else body.get("code")
    return str(value) if isinstance(value, str) and len(value) <= 64 else f"http.{status}"


def may_scrape(request: Request, token: str) -> bool:
    """A direct loopback caller, or the right bearer token (see the module docstring)."""
    authorization = request.headers.get("authorization", "")
    if token and authorization[:7].lower() == "bearer " and \
            hmac.compare_digest(authorization[7:].strip().encode(), token.encode()):
        return True
    if any(name in _PROXY_HEADERS for name, _ in request.scope.get("headers", ())):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get(METRICS_PATH)
def metrics(request: Request) -> Response:
    """The Prometheus text exposition of this app's registry."""
    if not may_scrape(request, request.app.state.services.settings.metrics_token):
        raise ProblemError(Code.FORBIDDEN, "监控指标仅对本机或持有监控令牌的调用方开放 / metrics: loopback or token")
    return Response(generate_latest(request.app.state.metrics.exposition()), media_type=CONTENT_TYPE_LATEST)
