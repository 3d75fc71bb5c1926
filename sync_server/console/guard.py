"""Console hardening: security headers on every /console response and one CSRF check for every change.

* `ConsoleGuard` (ASGI middleware) adds a strict Content-Security-Policy, frame, referrer and sniffing
  protection to every /console response, keeps a random pre-login nonce in a cookie, and works out the
  request's CSRF token: HMAC-SHA256, under a server secret kept in the data dir, of the console session
  token (signed in) or of the nonce (the login form). Templates render it with `{{ csrf_field() }}`.
* `require_console_csrf` (an app-wide dependency) refuses any POST/PUT/PATCH/DELETE under /console whose
  `csrf` form field (or `X-CSRF-Token` header) is not that token, or whose Origin / Sec-Fetch-Site says
  it comes from another site. The refusal is an HTML page, 403.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server.console.templating import CSRF_FIELD, current_csrf_token, page

log = logging.getLogger("sync_server.console")
CONSOLE_PREFIX = "/console"
SESSION_COOKIE = "console_token"
NONCE_COOKIE = "console_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SECRET_FILE = "console-secret.key"
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PAGE_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
HSTS = "max-age=31536000"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def load_secret(data_dir: Path) -> bytes:
    """The console's HMAC secret: 32 random bytes made once, owner-only, in the data dir."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        tmp = data_dir / f".{SECRET_FILE}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # atomic and exclusive: a concurrent first start keeps the first secret
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    secret = path.read_bytes()
    if len(secret) < 32:
        raise RuntimeError(f"{path} is damaged (shorter than 32 bytes); delete it to make a new one")
    return secret


def csrf_token(secret: bytes, session: str, nonce: str) -> str:
    """The CSRF token: bound to the session once signed in, to the nonce cookie before."""
    message = b"session\0" + session.encode() if session else b"login\0" + nonce.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class ConsoleGuard:
    """ASGI middleware for /console: headers, the nonce cookie and the request's CSRF token."""

    def __init__(self, app: ASGIApp, secret: bytes) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CONSOLE_PREFIX):
            await self.app(scope, receive, send)
            return
        cookies = Request(scope).cookies
        https = scope.get("scheme") == "https"
        nonce = cookies.get(NONCE_COOKIE, "")
        fresh = not _NONCE.fullmatch(nonce)
        if fresh:
            nonce = secrets.token_urlsafe(24)
        token = csrf_token(self.secret, cookies.get(SESSION_COOKIE, ""), nonce)
        scope.setdefault("state", {})["console_csrf"] = token

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if https:
                    headers["strict-transport-security"] = HSTS
                if fresh:
                    headers.append("set-cookie", f"{NONCE_COOKIE}={nonce}; Path={CONSOLE_PREFIX}; HttpOnly; "
                                                 f"SameSite=Strict{'; Secure' if https else ''}")
            await send(message)

        reset = current_csrf_token.set(token)
        try:
            await self.app(scope, receive, send_guarded)
        finally:
            current_csrf_token.reset(reset)


class CsrfRefused(Exception):
    """A console change without the right token, or from another site."""


async def require_console_csrf(request: Request) -> None:
    """Refuse an unsafe /console request without this session's CSRF token or from another origin."""
    if request.method in SAFE_METHODS or not request.scope["path"].startswith(CONSOLE_PREFIX):
        return
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise CsrfRefused(f"sec-fetch-site {site}")
    origin = request.headers.get("origin")
    if origin == "null" and site == "same-origin":
        origin = None  # with no-referrer, browsers send Origin "null" on their own form posts
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise CsrfRefused(f"origin {origin}")
    expected = request.scope.get("state", {}).get("console_csrf", "")
    supplied = request.headers.get(CSRF_HEADER) or await _form_token(request)
    if not expected or not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise CsrfRefused("token")


async def _form_token(request: Request) -> str:
    """The `csrf` field of a form body, leaving the body readable for the route."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        try:
            body = await request.body()  # cached on the request: the route reads it again
        except RuntimeError:  # FastAPI's own Form() parsing consumed the stream first
            return str((await request.form()).get(CSRF_FIELD) or "")
        values = parse_qs(body.decode("utf-8", errors="replace")).get(CSRF_FIELD, [])
        return values[0] if values else ""
    if content_type == "multipart/form-data":
        return str((await request.form()).get(CSRF_FIELD) or "")  # needs python-multipart
    return ""


async def _on_refused(request: Request, exc: Exception) -> HTMLResponse:
    log.warning("console %s %s refused: %s", request.method, request.url.path, exc)
    return page("error.html", status=403, message="页面已过期或请求来源不明，请返回刷新页面后重新操作。")


def install_console_guard(app: FastAPI, data_dir: Path) -> None:
    """Add the headers/token middleware and the refusal page (the check itself is an app dependency)."""
    app.add_middleware(ConsoleGuard, secret=load_secret(data_dir))
    app.add_exception_handler(CsrfRefused, _on_refused)
