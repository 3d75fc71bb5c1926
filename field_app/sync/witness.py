"""The tablet as a witness of the agency's audit log (issue 17).

The tablet keeps the newest checkpoint it verified (store table `log_checkpoint`, the agency key pinned at
first sight). At each sync it asks the server for the latest signed checkpoint with the RFC 9162
consistency proof from the one it holds, and checks both the signature and the proof itself
(schemas/checkpoint.py). A server whose log was shortened or rewritten since cannot answer with a proof
that holds: the sync stops before anything is sent, the tablet shows the alarm, and reports to the server
(which raises the alarm in its console). The held checkpoint is only ever replaced by a newer one proven
consistent with it, so the evidence of the fork stays on the tablet.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Callable
from datetime import datetime

from field_app.store import Store
from field_app.store.tables import HeldCheckpoint
from field_app.sync.client import ServerProblem, SyncClient, SyncError
from schemas import checkpoint
from schemas.problems import Code
from schemas.protocol import LogAlarmReport, LogCheckpoint

LOG_FORKED = "log.forked"
ALARM = ("审计日志告警：服务器的审计日志与本机此前核验过的检查点不一致，日志可能已被删除或改写。"
         "已停止上传（记录仍安全保存在本机），并已报告服务器，请立即联系管理员。")
SERVER_ALARM = ("审计日志告警：服务器发现其审计日志与此前签发的检查点不一致，已停止签发。"
                "已停止上传（记录仍安全保存在本机），请立即联系管理员。")


class LogAlarm(SyncError):
    """The sync stopped: the agency's log contradicts a checkpoint (`message` is what the tablet shows)."""

    def __init__(self, code: str, reason: str, message: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.message = code, reason, message


def why_inconsistent(held: HeldCheckpoint | None, answer: LogCheckpoint) -> str | None:
    """Why the server's answer contradicts the held checkpoint (None: it does not)."""
    public = held.public_key if held is not None else answer.public_key
    try:
        served = checkpoint.parse(answer.checkpoint, base64.b64decode(public, validate=True))
        proof = [bytes.fromhex(h) for h in answer.consistency]
    except (ValueError, binascii.Error) as error:
        return f"checkpoint not signed by the pinned agency key: {error}"
    if served.size != answer.size:
        return "the answer's size is not the checkpoint's"
    if held is None:
        return None
    root = bytes.fromhex(held.root)
    if served.size < held.size:
        return f"the log is shorter ({served.size}) than the checkpoint held ({held.size})"
    if not checkpoint.consistency_holds(held.size, served.size, root, served.root, proof):
        return f"no valid consistency proof from {held.size} to {served.size}"
    return None


def witness(store: Store, client: SyncClient, token: str, clock: Callable[[], datetime]) -> None:
    """Check the server's log against the held checkpoint and keep the newer one; raises `LogAlarm`
    (after reporting to the server) when they disagree. An older server without the route is let be."""
    with store.reading() as session:
        held = session.get(HeldCheckpoint, 1)
        if held is not None:
            session.expunge(held)
    try:
        answer = client.log_checkpoint(token, held.size if held is not None else 0)
    except ServerProblem as problem:
        if problem.code == Code.LOG_INCONSISTENT.value:
            raise LogAlarm(problem.code, problem.detail, SERVER_ALARM) from problem
        if problem.code == Code.NOT_FOUND.value:
            return
        raise
    why = why_inconsistent(held, answer)
    if why is not None:
        if held is not None:
            # the alarm on the tablet stands even if the report does not get through
            with contextlib.suppress(SyncError):
                client.report_log_alarm(token, LogAlarmReport(held=held.note, served=answer.checkpoint, reason=why,
                                                              device_id=client.device_id))
        raise LogAlarm(LOG_FORKED, why, ALARM)
    if held is None or answer.size > held.size:
        served = checkpoint.parse(answer.checkpoint, base64.b64decode(answer.public_key))
        with store.transaction() as session:
            row = session.get(HeldCheckpoint, 1) or HeldCheckpoint(size=0, root="", note="", public_key="",
                                                                   seen_at=clock())
            row.size, row.root, row.note, row.seen_at = served.size, served.root.hex(), answer.checkpoint, clock()
            row.public_key = held.public_key if held is not None else answer.public_key
            session.add(row)
