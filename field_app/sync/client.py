"""The HTTP client of the sync protocol (schemas/protocol.py), on httpx.

Errors, as a tree:
  SyncError
   ├── ServerUnreachable   no answer: offline, DNS, refused, timeout, a gateway saying 502/503/504
   │    └── ServerUntrusted   the TLS certificate is not from the agency CA (pinned) or not for the host
   └── ServerProblem       the server answered with a Problem (code, title, detail, data)
Pass `transport` to run against an in-process app or a test transport.
"""
from __future__ import annotations

import base64
import hashlib
import random
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from field_app.sync.backoff import busy_delay, retry_after_seconds
from field_app.sync.tls import check_server_url, pinned_context
from schemas.devices import DeviceEnrol, DeviceEnrolled, DeviceOrders, DeviceReport
from schemas.forms.office import OfficeForm
from schemas.problems import Code
from schemas.protocol import (
    API_PREFIX,
    DEVICE_HEADER,
    EVIDENCE_BATCH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    UPLOAD_CHECKSUM,
    UPLOAD_LENGTH,
    UPLOAD_OFFSET,
    BatchItem,
    BatchResult,
    CaseSummary,
    DeviceLogin,
    EvidenceMissing,
    EvidenceQuery,
    KeyEnrolment,
    KeyRegistration,
    LogAlarmReport,
    LogCheckpoint,
    RecordResult,
    Session,
    UploadState,
    batch_header,
)
from schemas.records import SealedRecord

M = TypeVar("M", bound=BaseModel)
CHUNK = 256 * 1024
_CASES = TypeAdapter(list[CaseSummary])
_FORMS = TypeAdapter(list[OfficeForm])
MAX_CASE_PAGES = 500  # a guard against a server whose "next" never ends (100,000 cases at 200 a page)
_GATEWAY = {502, 503, 504}
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)  # per read/write, so a long upload is not cut off
_BUSY = {429, 503}
BUSY_RETRIES = 6  # about a minute of patience in all, then the record waits for the next upload
_BODYLESS = {401: Code.AUTH_INVALID, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND, 413: Code.EVIDENCE_TOO_LARGE}


class SyncError(Exception):
    """Base of the sync client's errors."""


class ServerUnreachable(SyncError):
    """The server could not be reached: the tablet is offline or the server is down."""


class ServerUntrusted(ServerUnreachable):
    """The server's certificate is not from the agency's CA (or not for its address): nothing was sent."""


class ServerProblem(SyncError):
    """The server refused the request with a Problem."""

    def __init__(self, code: str, title: str = "", detail: str = "", data: dict | None = None,
                 status: int = 0) -> None:
        super().__init__(f"{code}: {detail or title}")
        self.code, self.title, self.detail, self.data, self.status = code, title, detail, data or {}, status


def _problem(response: httpx.Response) -> ServerProblem:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return ServerProblem(body["code"], str(body.get("title", "")), str(body.get("detail", "") or ""),
                             body.get("data") if isinstance(body.get("data"), dict) else {}, response.status_code)
    code = _BODYLESS.get(response.status_code)
    return ServerProblem(code.value if code else f"http.{response.status_code}", response.reason_phrase,
                         "", {}, response.status_code)


def _certificate_refused(exc: BaseException) -> bool:
    """Whether a transport error was the TLS handshake refusing the server's certificate."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class SyncClient:
    """One server, one httpx client; every request carries the protocol version and this tablet's id
    (`X-Device-Id`: the server accepts a device token only from the device it was issued to)."""

    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None,
                 timeout: float | httpx.Timeout = DEFAULT_TIMEOUT, ca_file: Path | None = None, *,
                 device_id: str = "", busy_retries: int = BUSY_RETRIES,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        """`ca_file`: the agency CA, the only one trusted for HTTPS. Plain HTTP is refused except to
        127.0.0.1 (`InsecureServerUrl`); an injected `transport` (tests) brings its own connection."""
        self.device_id, self._timeout, self._transport = device_id, timeout, transport
        self._http = self._connect(base_url, ca_file)
        self.busy_retries, self._sleep, self._rng = busy_retries, sleep, rng or random.Random()
        self.on_busy: Callable[[float], None] | None = None  # told the wait before each busy retry
        # told when the server orders this tablet wiped (device.lost / device.upload_only: upload first?)
        self.on_device_lost: Callable[[bool], None] | None = None
        self.batches = True  # False once the server said it has no batch route (404/405)

    def _connect(self, base_url: str, ca_file: Path | None) -> httpx.Client | None:
        """The httpx client of one server; None while the tablet is not provisioned (`base_url` "")."""
        self.base_url = base_url.rstrip("/")
        if not base_url:
            return None
        if self._transport is None:
            check_server_url(base_url, ca_file)
        verify: ssl.SSLContext | bool = pinned_context(ca_file) if ca_file is not None else True
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if self.device_id:
            headers[DEVICE_HEADER] = self.device_id
        return httpx.Client(base_url=self.base_url + API_PREFIX, transport=self._transport, timeout=self._timeout,
                            headers=headers, verify=verify)

    def retarget(self, base_url: str, ca_file: Path | None) -> None:
        """Talk to another server from now on (the tablet was provisioned, or re-provisioned)."""
        old, self._http = self._http, self._connect(base_url, ca_file)
        if old is not None:
            old.close()

    @property
    def configured(self) -> bool:
        """Whether the tablet knows its server (provisioned, or configured by environment)."""
        return self._http is not None

    def close(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            self._http.close()

    def _send(self, method: str, url: str, token: str | None = None, *, retry_busy: bool = True,
              **kwargs: object) -> httpx.Response:
        """One request; a busy server (503/429) is asked again after a jittered backoff, unless the body
        is a one-shot stream (`retry_busy=False`)."""
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if self._http is None:
            raise ServerUnreachable("本机尚未登记到机构服务器（请先扫描设备登记二维码）")
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError as exc:
                if _certificate_refused(exc):
                    raise ServerUntrusted("服务器证书不是本机构 CA 签发或与地址不符，已拒绝连接") from exc
                raise ServerUnreachable(str(exc) or type(exc).__name__) from exc
            if response.status_code not in _BUSY or not retry_busy or attempt >= self.busy_retries:
                break
            delay = busy_delay(attempt, retry_after_seconds(response.headers.get("retry-after")), self._rng)
            if self.on_busy is not None:
                self.on_busy(delay)
            self._sleep(delay)
            attempt += 1
        if response.status_code in _GATEWAY and "json" not in response.headers.get("content-type", ""):
            raise ServerUnreachable(f"HTTP {response.status_code}")
        if response.is_error and not (method == "HEAD" and response.status_code == 404):
            problem = _problem(response)
            if problem.code in (Code.DEVICE_LOST.value, Code.DEVICE_UPLOAD_ONLY.value) and self.on_device_lost:
                self.on_device_lost(bool(problem.data.get("upload_first")))
            raise problem
        return response

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerProblem(Code.VALIDATION.value, "服务器返回的内容无法识别", str(exc)[:300],
                                status=response.status_code) from exc

    def reachable(self) -> bool:
        """Whether the server answers at all (any HTTP status; nothing is sent but a HEAD): how the tablet
        notices the network is back. A certificate not from the agency CA counts as unreachable."""
        if self._http is None:
            return False
        try:
            self._http.request("HEAD", "/")
        except httpx.TransportError:
            return False
        return True

    def device_login(self, username: str, pin: str, device_id: str) -> Session:
        """Sign a surveyor in on this tablet with their PIN."""
        body = DeviceLogin(username=username, pin=pin, device_id=device_id).model_dump(mode="json")
        return self._parse(Session, self._send("POST", "/auth/device-login", json=body))

    def register_key(self, token: str, enrolment: KeyEnrolment) -> KeyRegistration:
        """Enrol the caller's public key with their PIN, from this device (idempotent on the server)."""
        response = self._send("PUT", "/keys", token, json=enrolment.model_dump(mode="json"))
        return self._parse(KeyRegistration, response)

    def logout(self, token: str) -> None:
        """End the token on the server."""
        self._send("POST", "/auth/logout", token)

    def list_cases(self, token: str) -> list[CaseSummary]:
        """The cases assigned to the caller's team, every page of them (the server's `Link: rel="next"`)."""
        cases: list[CaseSummary] = []
        params: dict[str, str] = {}
        for _ in range(MAX_CASE_PAGES):
            response = self._send("GET", "/cases", token, params=params)
            try:
                cases.extend(_CASES.validate_json(response.content))
            except ValidationError as exc:
                raise ServerProblem(Code.VALIDATION.value, "服务器返回的内容无法识别", str(exc)[:300]) from exc
            following = response.links.get("next", {}).get("url")
            if not following:
                return cases
            params = dict(httpx.URL(following).params)
        raise ServerProblem(Code.VALIDATION.value, "服务器返回的案件分页过多", f"over {MAX_CASE_PAGES} pages")

    def list_forms(self, token: str) -> list[OfficeForm]:
        """The form versions the office published (issue 20); none from a server that predates them."""
        try:
            response = self._send("GET", "/forms", token)
        except ServerProblem as problem:
            if problem.status == 404:
                return []
            raise
        try:
            return _FORMS.validate_json(response.content)
        except ValidationError as exc:
            raise ServerProblem(Code.VALIDATION.value, "服务器返回的表单无法识别", str(exc)[:300]) from exc

    def missing_evidence(self, token: str, shas: list[str]) -> list[UploadState]:
        """The files (of these) the server lacks, each with its durable offset — one request."""
        response = self._send("POST", "/evidence/missing", token,
                              json=EvidenceQuery(sha256=shas).model_dump(mode="json"))
        return self._parse(EvidenceMissing, response).missing

    def upload_offset(self, token: str, sha: str) -> int:
        """How many bytes of the file the server holds durably (0 if its upload never started)."""
        response = self._send("HEAD", f"/uploads/{sha}", token)
        return int(response.headers.get(UPLOAD_OFFSET, "0")) if response.status_code == 200 else 0

    def append_chunk(self, token: str, sha: str, offset: int, length: int, data: bytes) -> UploadState:
        """Send one checked chunk at `offset`; the answer is the server's durable state."""
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        headers = {UPLOAD_OFFSET: str(offset), UPLOAD_LENGTH: str(length), UPLOAD_CHECKSUM: f"sha256 {digest}",
                   "Content-Type": "application/offset+octet-stream"}
        response = self._send("PATCH", f"/uploads/{sha}", token, headers=headers, content=data)
        return self._parse(UploadState, response)

    def upload_batch(self, token: str, files: list[tuple[str, bytes]],
                     on_sent: Callable[[str, int, int], None] | None = None) -> list[BatchItem] | None:
        """Send files in one request; per file, stored or refused. None if the server has no batch
        route (404/405; remembered): send them one by one instead. `on_sent(sha, sent, size)` follows each
        file's bytes onto the wire (a whole visit's bundle takes a while on a slow link)."""
        if not self.batches:
            return None
        headers = {EVIDENCE_BATCH: batch_header([(sha, len(data)) for sha, data in files]),
                   "Content-Type": "application/octet-stream",
                   "Content-Length": str(sum(len(data) for _, data in files))}
        try:
            response = self._send("POST", "/evidence/batch", token, headers=headers,
                                  content=b"".join(data for _, data in files) if on_sent is None
                                  else _Pieces(files, on_sent))
        except ServerProblem as problem:
            if problem.status in (404, 405):
                self.batches = False
                return None
            raise
        return self._parse(BatchResult, response).files

    def post_record(self, token: str, sealed: SealedRecord) -> RecordResult:
        """Send a sealed record; the server verifies, merges, and answers per record."""
        response = self._send("POST", "/records", token, json=sealed.model_dump(mode="json"))
        return self._parse(RecordResult, response)

    def log_checkpoint(self, token: str, since: int) -> LogCheckpoint:
        """The agency log's latest signed checkpoint with the consistency proof from the tree of `since`
        entries (the checkpoint this tablet holds; 0: none yet)."""
        return self._parse(LogCheckpoint, self._send("GET", "/log/checkpoint", token, params={"since": since}))

    def report_log_alarm(self, token: str, report: LogAlarmReport) -> None:
        """Tell the server its log contradicts a checkpoint this tablet holds."""
        self._send("POST", "/log/alarm", token, json=report.model_dump(mode="json"))

    def enrol_device(self, code: str, app_version: str = "") -> DeviceEnrolled:
        """Register this tablet with a one-time enrolment code (no token: the code is the proof)."""
        body = DeviceEnrol(code=code, device_id=self.device_id, app_version=app_version).model_dump(mode="json")
        return self._parse(DeviceEnrolled, self._send("POST", "/devices/enrol", json=body))

    def report_device(self, token: str, report: DeviceReport) -> DeviceOrders:
        """Tell the server this tablet's state; the answer says whether to wipe (and upload first)."""
        response = self._send("POST", "/devices/report", token, retry_busy=False,  # never holds up an upload
                              json=report.model_dump(mode="json"))
        return self._parse(DeviceOrders, response)


class _Pieces:
    """A batch body handed to httpx piece by piece, telling `on_sent` how far each file is; iterable again
    from the start (a busy server's answer is followed by the same body once more)."""

    PIECE = 128 * 1024

    def __init__(self, files: list[tuple[str, bytes]], on_sent: Callable[[str, int, int], None]) -> None:
        self.files, self.on_sent = files, on_sent

    def __iter__(self) -> Iterator[bytes]:
        for sha, data in self.files:
            for start in range(0, len(data), self.PIECE):
                yield data[start:start + self.PIECE]
                self.on_sent(sha, min(start + self.PIECE, len(data)), len(data))
