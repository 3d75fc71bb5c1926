"""The HTTP client of the sync protocol (schemas/protocol.py), on httpx.

Errors, as a tree:
  SyncError
   ├── ServerUnreachable   no answer: offline, DNS, refused, timeout, a gateway saying 502/503/504
   └── ServerProblem       the server answered with a Problem (code, title, detail, data)
Pass `transport` to run against an in-process app or a test transport.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from schemas.problems import Code
from schemas.protocol import (
    API_PREFIX,
    DEVICE_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    CaseSummary,
    DeviceLogin,
    EvidenceStored,
    KeyEnrolment,
    KeyRegistration,
    RecordResult,
    Session,
)
from schemas.records import SealedRecord

M = TypeVar("M", bound=BaseModel)
CHUNK = 256 * 1024
_CASES = TypeAdapter(list[CaseSummary])
_GATEWAY = {502, 503, 504}
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)  # per read/write, so a long upload is not cut off
_BODYLESS = {401: Code.AUTH_INVALID, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND, 413: Code.EVIDENCE_TOO_LARGE}


class SyncError(Exception):
    """Base of the sync client's errors."""


class ServerUnreachable(SyncError):
    """The server could not be reached: the tablet is offline or the server is down."""


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


def _counted(chunks: Iterable[bytes], on_bytes: Callable[[int], None] | None) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk
        if on_bytes is not None:
            on_bytes(len(chunk))


class SyncClient:
    """One server, one httpx client; every request carries the protocol version and this tablet's id
    (`X-Device-Id`: the server accepts a device token only from the device it was issued to)."""

    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None,
                 timeout: float | httpx.Timeout = DEFAULT_TIMEOUT, device_id: str = "") -> None:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if device_id:
            headers[DEVICE_HEADER] = device_id
        self.device_id = device_id
        self._http = httpx.Client(base_url=base_url.rstrip("/") + API_PREFIX, transport=transport,
                                  timeout=timeout, headers=headers)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, method: str, url: str, token: str | None = None, **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            raise ServerUnreachable(str(exc) or type(exc).__name__) from exc
        if response.status_code in _GATEWAY and "json" not in response.headers.get("content-type", ""):
            raise ServerUnreachable(f"HTTP {response.status_code}")
        if response.is_error and not (method == "HEAD" and response.status_code == 404):
            raise _problem(response)
        return response

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerProblem(Code.VALIDATION.value, "服务器返回的内容无法识别", str(exc)[:300],
                                status=response.status_code) from exc

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
        """The cases assigned to the caller's team."""
        response = self._send("GET", "/cases", token)
        try:
            return _CASES.validate_json(response.content)
        except ValidationError as exc:
            raise ServerProblem(Code.VALIDATION.value, "服务器返回的内容无法识别", str(exc)[:300]) from exc

    def has_evidence(self, token: str, sha: str) -> bool:
        """Whether the server already stores the file with this hash."""
        return self._send("HEAD", f"/evidence/{sha}", token).status_code == 200

    def put_evidence(self, token: str, sha: str, chunks: Iterable[bytes], size: int,
                     on_bytes: Callable[[int], None] | None = None) -> EvidenceStored:
        """Upload one evidence file as a streamed raw body of `size` bytes (the plaintext, decrypted
        chunk by chunk: `EvidenceStore.chunks`); `on_bytes(n)` after each chunk sent."""
        headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
        response = self._send("PUT", f"/evidence/{sha}", token, headers=headers,
                              content=_counted(chunks, on_bytes))
        return self._parse(EvidenceStored, response)

    def post_record(self, token: str, sealed: SealedRecord) -> RecordResult:
        """Send a sealed record; the server verifies, merges, and answers per record."""
        response = self._send("POST", "/records", token, json=sealed.model_dump(mode="json"))
        return self._parse(RecordResult, response)
