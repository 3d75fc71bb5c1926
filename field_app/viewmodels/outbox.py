"""The upload panel: how many sealed records wait, and uploading them with progress.

An upload the network cut short (or that a restart interrupted: records still queued at start) goes on
by itself: `resume_if_back`, called every few seconds by `AutoResume`, asks the server whether it answers
again and then uploads, from each file's durable offset. One upload at a time: a tap while an automatic
one runs waits for it, and then shows its results.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from field_app.store import EvidenceStore, OutboxStatus, Store
from field_app.store import queries as q
from field_app.store.tables import OutboxItem
from field_app.sync.backoff import BUSY_NOTICE
from field_app.sync.client import SyncClient
from field_app.sync.outbox import UploadOutcome, UploadStatus, upload_outbox
from field_app.sync.witness import LogAlarm
from field_app.viewmodels.base import Clock, Observable, utcnow
from field_app.viewmodels.team import TeamSession
from schemas.completeness import CHECK_LABELS
from schemas.problems import chinese_message
from schemas.records import Outcome, VisitKind

log = logging.getLogger(__name__)
AUTO_RESUME_NOTICE = "网络恢复后将自动继续上传"


class SyncPanel(Observable):
    """Counts, progress and per-record results of uploading the outbox. Never raises for offline."""

    def __init__(self, store: Store, evidence: EvidenceStore, client: SyncClient, team: TeamSession,
                 clock: Clock = utcnow) -> None:
        self.store, self.evidence, self.client, self.team, self.clock = store, evidence, client, team, clock
        self.syncing = False
        self.progress = 0.0  # 0..1 of the bytes of this upload
        self.bytes_done = self.bytes_total = 0  # bytes of this upload on the server, and in all
        self.file_bytes: tuple[str, int, int] = ("", 0, 0)  # the file being sent: sha, on the server, size
        self.current = ""  # record id being uploaded
        self.results: list[UploadOutcome] = []
        self.notice = ""
        self.log_alarm = ""  # set when the agency's audit log contradicted this tablet's checkpoint (sync/witness.py)
        self._labels: dict[str, str] = {}  # in memory only: a synced record's label after it left the store
        self._one_upload = threading.Lock()
        self.waiting_for_network = self.queued > 0  # go on by itself once the server answers (see AutoResume)
        self.finished_uploads = 0  # counts finished uploads, so a screen knows to show new results
        self._unseen = False  # results of an automatic upload nobody has tapped 立即上传 since
        self.before_upload: Callable[[str], None] | None = None  # DeviceGuard.report (viewmodels/device.py)

    @property
    def upload_lock(self) -> threading.Lock:
        """Held while an upload runs (a wipe waits for it: field_app/viewmodels/device.py)."""
        return self._one_upload

    def counts(self) -> dict[OutboxStatus, int]:
        """Sealed records per upload status, read from the store now."""
        with self.store.reading() as s:
            return q.outbox_counts(s)

    @property
    def queued(self) -> int:
        """Sealed records waiting for their first successful upload."""
        return self.counts()[OutboxStatus.QUEUED]

    @property
    def problems(self) -> int:
        """Sealed records the server refused (a person must look at them)."""
        return self.counts()[OutboxStatus.PROBLEM]

    @property
    def synced(self) -> int:
        """Sealed records the server holds."""
        return self.counts()[OutboxStatus.SYNCED]

    @property
    def pending(self) -> int:
        """Sealed records not yet on the server (queued or with a problem)."""
        counts = self.counts()
        return counts[OutboxStatus.QUEUED] + counts[OutboxStatus.PROBLEM]

    def refresh_counts(self) -> None:
        """Tell the view to re-read the counts (they are always read live from the store)."""
        self._notify()

    def problem_messages(self) -> dict[str, str]:
        """Record id -> the Chinese problem message, for records the server refused (kept across restarts)."""
        with self.store.reading() as s:
            items = q.outbox_items(s, [OutboxStatus.PROBLEM])
        return {i.record_id: chinese_message(i.problem_code, i.problem_detail) for i in items}

    def describe(self, record_id: str) -> str:
        """A record as a surveyor knows it: kind, who was visited, and the case."""
        with self.store.reading() as s:
            item = s.get(OutboxItem, record_id)
            if item is None:  # confirmed by the server: only its receipt stays on the tablet
                receipt = q.receipt(s, record_id)
                case = q.cached_case(s, receipt.case_id) if receipt else None
                fallback = f"{CHECK_LABELS[VisitKind(receipt.kind)]} · {case.title if case else receipt.case_id}" \
                    if receipt else record_id[:8]
                return self._labels.get(record_id, fallback)
            record = q.sealed_record(item).record
            case = q.cached_case(s, record.case_id)
        who = "拒绝" if record.outcome == Outcome.REFUSED else (record.respondent.name or "未填调查对象")
        return f"{CHECK_LABELS[record.kind]}（{who}）· {case.title if case else record.case_id}"

    def _on_progress(self, done: int, total: int, record_id: str) -> None:
        self.progress = 1.0 if total == 0 else min(1.0, done / total)
        self.bytes_done, self.bytes_total = done, total
        if self.notice == BUSY_NOTICE:
            self.notice = "正在上传…"
        self.current = record_id
        self._notify()

    def _on_file(self, sha: str, sent: int, size: int) -> None:
        self.file_bytes = (sha, sent, size)

    def progress_text(self) -> str:
        """Bytes sent of the current file and of the batch, for the upload screen."""
        _sha, sent, size = self.file_bytes
        text = f"本批 {_mb(self.bytes_done)} / {_mb(self.bytes_total)}"
        return text + (f"；当前文件 {_mb(sent)} / {_mb(size)}" if size else "")

    def _on_busy(self, _delay: float) -> None:
        self.notice = BUSY_NOTICE
        self._notify()

    def resume_if_back(self) -> bool:
        """If an upload is waiting for the network and the server answers again, upload now (on the
        caller's thread); returns whether an upload ran. Cheap when there is nothing to do."""
        if not self.waiting_for_network or self.syncing or self.team.token() is None:
            return False
        if self.pending == 0:
            self.waiting_for_network = False
            return False
        if not self.client.reachable():
            return False
        if not self._one_upload.acquire(blocking=False):
            return False
        try:
            self._sync()
            self._unseen = True
        finally:
            self._one_upload.release()
        return True

    def sync(self) -> list[UploadOutcome]:
        """Upload every pending record; results per record, a summary in `notice`. If another upload runs
        (a tap, or AutoResume), wait for it; if it left nothing to upload, its results are the answer."""
        if self.syncing:  # a second tap while an upload runs: wait for it, its results are the answer
            with self._one_upload:
                self._unseen = False
                self._notify()
                return self.results
        with self._one_upload:
            if self._unseen and self.pending == 0:
                self._unseen = False
                self._notify()
                return self.results
            self._unseen = False
            return self._sync()

    def _sync(self) -> list[UploadOutcome]:
        token = self.team.token()
        if token is None:
            self.results, self.notice = [], "需要一名调查人员联网登录后才能上传"
            self._notify()
            return self.results
        self.syncing, self.progress, self.current, self.notice = True, 0.0, "", "正在上传…"
        self._notify()
        self.client.on_busy = self._on_busy
        if self.before_upload is not None:
            self.before_upload(token)  # the tablet's state to the server, which may order a wipe (issue 18)
        with self.store.reading() as s:
            pending = [i.record_id for i in q.outbox_items(s, [OutboxStatus.QUEUED, OutboxStatus.PROBLEM])]
        self._labels = {rid: self.describe(rid) for rid in pending}
        try:
            self.results = upload_outbox(self.store, self.evidence, self.client, token, self._on_progress,
                                         self.clock, on_file=self._on_file)
        except LogAlarm as alarm:  # the agency's log contradicts this tablet's checkpoint: stop, say so
            self.results, self.notice, self.log_alarm = [], alarm.message, alarm.message
            self._notify()
            return self.results
        except Exception:
            self.notice = "上传中断，记录仍保存在本机"
            raise
        finally:
            self.syncing, self.current = False, ""
            self.finished_uploads += 1
        self.waiting_for_network = any(r.status == UploadStatus.UNREACHABLE for r in self.results)
        self.notice = self._summary(self.results)
        self._notify()
        return self.results

    @staticmethod
    def _summary(results: list[UploadOutcome]) -> str:
        if not results:
            return "没有需要上传的记录"
        by = {s: [r for r in results if r.status == s] for s in UploadStatus}
        if by[UploadStatus.UNREACHABLE]:
            head = f"已上传 {len(by[UploadStatus.SYNCED])} 份；" if by[UploadStatus.SYNCED] else ""
            return head + f"当前无法连接服务器，其余记录已保存在本机，{AUTO_RESUME_NOTICE}"
        if by[UploadStatus.NOT_SENT]:
            return by[UploadStatus.NOT_SENT][0].message
        text = f"已上传 {len(by[UploadStatus.SYNCED])} 份"
        text += f"，{len(by[UploadStatus.PROBLEM])} 份有问题需处理" if by[UploadStatus.PROBLEM] else ""
        later = by[UploadStatus.RETRY_LATER]
        return text + (f"，{len(later)} 份暂未上传：{later[0].message}" if later else "")


def result_tone(result: UploadOutcome) -> str:
    """How one upload result reads on the outbox screen: "ok" (on the server), "problem" (refused), or
    "" (still on the tablet). The view colours it without knowing the sync layer's statuses."""
    return {UploadStatus.SYNCED: "ok", UploadStatus.PROBLEM: "problem"}.get(result.status, "")


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


class AutoResume:
    """Every `every_s` seconds, in one daemon thread per tablet process, lets an interrupted upload go
    on once the server answers (`SyncPanel.resume_if_back`). No flet here: the view only shows results."""

    def __init__(self, panel: SyncPanel, every_s: float = 20.0) -> None:
        self.panel, self.every_s = panel, every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start checking (once; a zero or negative interval never starts)."""
        if self._thread is None and self.every_s > 0:
            self._thread = threading.Thread(target=self._run, name="auto-resume", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop checking (an upload under way finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.panel.resume_if_back()
            except Exception:  # never let the checker die: the next tick tries again
                log.warning("automatic upload failed", exc_info=True)
