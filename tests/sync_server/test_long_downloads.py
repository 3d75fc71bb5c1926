"""A streamed answer that lasts longer than the request body's deadlines is not cut (issue 20: large
exports stream): once the request body is complete, BodyGuard no longer times the client's reads, so
Starlette's wait for a disconnect during a StreamingResponse does not end the answer after body_idle_s."""
from __future__ import annotations

import anyio
from starlette.responses import StreamingResponse

from sync_server.edge.limits import BodyGuard
from sync_server.settings import Settings


def test_a_stream_longer_than_the_body_deadlines_arrives_whole(tmp_path):
    settings = Settings(tmp_path, body_idle_s=0.2, body_grace_s=0.1)

    async def pieces():
        for n in range(8):
            await anyio.sleep(0.1)  # 0.8 s in all, four times the idle deadline
            yield f"{n},".encode()

    async def app(scope, receive, send):
        await StreamingResponse(pieces())(scope, receive, send)

    sent: list[dict] = []
    client_gone = anyio.Event()

    async def receive():
        if not sent:  # the GET's empty body, then (like a server) nothing until the client leaves
            sent.append({"type": "marker"})
            return {"type": "http.request", "body": b"", "more_body": False}
        await client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def main():
        scope = {"type": "http", "method": "GET", "path": "/console/exports/cases.csv", "headers": [],
                 "query_string": b"", "asgi": {"version": "3.0"}}
        await BodyGuard(app, settings)(scope, receive, send)
        client_gone.set()

    anyio.run(main)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert body == b"0,1,2,3,4,5,6,7,"
