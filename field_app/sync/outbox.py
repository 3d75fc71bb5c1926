"""Upload the outbox: for each sealed record, the evidence files the server lacks, then the record.

Before anything is sent the tablet witnesses the agency's audit log (sync/witness.py): a log that
contradicts the checkpoint it holds raises `LogAlarm` and nothing is uploaded.

One result per record (ODK Collect's habit): a refused record does not stop the others; only an
unreachable server (or a refused login) stops the batch, and then nothing changes state, so
everything simply waits for the next try. A server that fails rather than refuses (5xx, its disk
full) leaves that record as it was, to be sent again next time. Each record's new state is its
own small transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from field_app.store import EvidenceStore, OutboxStatus, Store
from field_app.store import queries as q
from field_app.sync.batch import send_batched
from field_app.sync.client import ServerProblem, ServerUnreachable, SyncClient
from field_app.sync.resumable import FileProgress, ResumableUploader
from field_app.sync.witness import witness
from schemas.problems import Code, chinese_message
from schemas.records import SealedRecord

Progress = Callable[[int, int, str], None]  # bytes_done, bytes_total, current record id
Clock = Callable[[], datetime]

UNREACHABLE = "未能连接服务器，记录已安全保存在本机，联网后会再次上传"
LOCAL_FILE_MISSING = "evidence.local_missing"
LOCAL_FILE_MESSAGE = "本机留证文件缺失或已损坏，无法上传，请联系管理员"
RETRY_LATER = "记录仍保存在本机，下次上传时会自动重试"
_STOP_BATCH = {Code.AUTH_REQUIRED.value, Code.AUTH_INVALID.value, Code.AUTH_LOCKED.value,
               Code.PROTOCOL_UNSUPPORTED.value}
_SERVER_TROUBLE = {Code.STORAGE_FULL.value, Code.SERVER_ERROR.value}


def _server_trouble(problem: ServerProblem) -> bool:
    """The server failed (not refused): the same record may well go through next time."""
    return problem.status >= 500 or problem.code in _SERVER_TROUBLE


class UploadStatus(str, Enum):
    """What happened to one record in this upload."""

    SYNCED = "synced"
    PROBLEM = "problem"
    UNREACHABLE = "unreachable"  # the server could not be reached; still queued
    NOT_SENT = "not_sent"  # the server refused the login (expired token, old app); still queued
    RETRY_LATER = "retry_later"  # the server failed (5xx, its disk full); unchanged, sent again next time


@dataclass(frozen=True)
class UploadOutcome:
    """The result for one record, with the sentence the tablet shows."""

    record_id: str
    case_id: str
    status: UploadStatus
    message: str
    code: str = ""


def _files(sealed: SealedRecord) -> dict[str, int]:
    return {e.sha256: e.size for e in sealed.record.evidence}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def forget_confirmed(store: Store, evidence: EvidenceStore, record_id: str, received_at: datetime | None,
                     now: datetime) -> None:
    """The server confirmed the record: keep its receipt, remove the record and shred the files that
    nothing else on the tablet still needs (R21)."""
    with store.transaction() as session:
        sealed = q.confirm(session, record_id, received_at, now)
        in_use = q.evidence_in_use(session)
    for sha in {e.sha256 for e in sealed.record.evidence} - in_use:
        evidence.delete(sha)


def upload_outbox(store: Store, evidence: EvidenceStore, client: SyncClient, token: str,
                  on_progress: Progress | None = None, clock: Clock = _utcnow,
                  on_file: FileProgress | None = None,
                  uploader: ResumableUploader | None = None) -> list[UploadOutcome]:
    """Upload every queued or problem record; returns one outcome per record, in seal order.
    Files go up after one question per record for what is missing: the whole visit in one batch request
    when it fits, else the small ones in batches and the rest resumably from the server's durable offset.
    `on_file(sha, sent, size)` follows each file, `on_progress` the batch."""
    uploader = uploader or ResumableUploader(client, token, evidence.read_range)
    _witness(store, client, token, clock)  # a log that contradicts what this tablet saw stops it all (LogAlarm)
    with store.reading() as session:
        items = q.outbox_items(session, [OutboxStatus.QUEUED, OutboxStatus.PROBLEM])
    batch = [q.sealed_record(item) for item in items]
    total = sum(sum(_files(s).values()) for s in batch)
    done = 0

    def progress(record_id: str) -> None:
        if on_progress is not None:
            on_progress(done, total, record_id)

    outcomes: list[UploadOutcome] = []
    bundle = True  # a whole visit in one request, until a bundle is cut (field_app/sync/batch.py)
    for index, sealed in enumerate(batch):
        rid, cid = sealed.record.id, sealed.record.case_id
        progress(rid)
        with store.transaction() as session:
            q.mark_attempt(session, rid, clock())
        try:
            files = _files(sealed)
            states = client.missing_evidence(token, list(files)) if files else []
            missing = {m.sha256: m.offset for m in states}
            for sha in missing:
                if not evidence.verify(sha):
                    raise ServerProblem(LOCAL_FILE_MISSING, detail=sha[:12])
            start, bundled = done, dict.fromkeys(files, 0)

            def bundle_progress(sha: str, sent: int, size: int, start: int = start, rid: str = rid,
                                bundled: dict[str, int] = bundled) -> None:
                nonlocal done  # a whole visit in one request: followed as its bytes go onto the wire
                bundled[sha] = sent
                done = start + sum(bundled.values())
                if on_file is not None:
                    on_file(sha, sent, size)
                progress(rid)
            batched, bundle = send_batched(client, token, evidence.read_range, states, files, bundle,
                                           bundle_progress)
            done = start  # counted again below, file by file (a cut bundle's bytes are sent again)
            for sha, size in files.items():
                if sha not in missing or sha in batched:
                    if sha in batched and on_file is not None:
                        on_file(sha, size, size)
                    done += size
                    continue
                before = done

                def file_progress(sha: str, sent: int, size: int, before: int = before, rid: str = rid) -> None:
                    nonlocal done
                    done = before + sent
                    if on_file is not None:
                        on_file(sha, sent, size)
                    progress(rid)
                uploader.upload(sha, size, missing[sha], file_progress)
                done = before + size
                progress(rid)
            result = client.post_record(token, sealed)  # merged or already merged: the server has it
        except ServerUnreachable:
            outcomes += [UploadOutcome(s.record.id, s.record.case_id, UploadStatus.UNREACHABLE, UNREACHABLE)
                         for s in batch[index:]]
            break
        except ServerProblem as problem:
            message = LOCAL_FILE_MESSAGE if problem.code == LOCAL_FILE_MISSING else \
                chinese_message(problem.code, problem.detail)
            if problem.code in _STOP_BATCH:  # the login, not the record, is the problem
                outcomes += [UploadOutcome(s.record.id, s.record.case_id, UploadStatus.NOT_SENT, message,
                                           problem.code) for s in batch[index:]]
                break
            if _server_trouble(problem):  # nothing to fix on the tablet: keep the record's state
                outcomes.append(UploadOutcome(rid, cid, UploadStatus.RETRY_LATER, f"{message}；{RETRY_LATER}",
                                              problem.code))
            else:
                with store.transaction() as session:
                    q.mark_problem(session, rid, problem.code, problem.detail)
                outcomes.append(UploadOutcome(rid, cid, UploadStatus.PROBLEM, message, problem.code))
            done = max(done, sum(sum(_files(s).values()) for s in batch[: index + 1]))
            continue
        forget_confirmed(store, evidence, rid, result.received_at, clock())
        outcomes.append(UploadOutcome(rid, cid, UploadStatus.SYNCED, "已上传"))
    progress("")
    if any(o.status == UploadStatus.SYNCED for o in outcomes):
        _witness(store, client, token, clock)  # the log now holds these records: keep its newer checkpoint
    return outcomes


def _witness(store: Store, client: SyncClient, token: str, clock: Clock) -> None:
    """Witness the agency's log (field_app/sync/witness.py). Only the log's own alarm (`LogAlarm`) stops the
    upload: an unreachable server, a refused login or a failing server are left to the upload, which
    names them record by record."""
    try:
        witness(store, client, token, clock)
    except (ServerUnreachable, ServerProblem):
        return
