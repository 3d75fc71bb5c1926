"""A size limit on every request body except raw uploads (evidence, intake documents: own streamed limits).

A 20 MB JSON answer is refused as `request.too_large` (413) before it is parsed, whether the client
declared its length or streamed it in chunks."""
from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.problems import Code, ProblemError
from schemas.protocol import API_PREFIX
from sync_server.problem_handlers import problem_response

EVIDENCE_PREFIX = f"{API_PREFIX}/evidence/"
_DOCUMENTS = re.compile(rf"^{re.escape(API_PREFIX)}/intake/cases/[^/]+/documents$")


def streamed_upload(path: str) -> bool:
    """Raw-body uploads with their own streamed limit: evidence files, intake documents."""
    return path.startswith(EVIDENCE_PREFIX) or bool(_DOCUMENTS.match(path))


class BodyLimit:
    """ASGI layer: bodies over `max_bytes` get a 413 problem (evidence PUTs are exempt)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or streamed_upload(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:  # a streamed body without a length: stop reading, answer 413
                raise HTTPException(413, f"上限 {self.max_bytes} 字节")
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = ProblemError(Code.REQUEST_TOO_LARGE, f"上限 {self.max_bytes} 字节", max_bytes=self.max_bytes)
        await problem_response(problem.problem(), headers={"Connection": "close"})(scope, receive, send)
