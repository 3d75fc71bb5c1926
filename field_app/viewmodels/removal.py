"""移除 with 撤销: a removed file leaves the record at once, and its bytes stay for an undo window (no flet).

`remove` takes the file (and a signature's strokes) out of the record, so completeness and the trail
("evidence_removed") say so at once, and keeps the references with all their metadata. `undo` within
the window puts them back ("evidence_restored"). Only when the window has passed, or the team moves
on (another step, another screen, sealing), does `settle` crypto-shred the files that no draft and no
unsent record still uses. A kill inside the window leaves an unreferenced file, which the start-up
prune shreds (field_app.store.cleanup).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from field_app.errors import VisitError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.visit import VisitEditor
from schemas.records import EvidenceRef

UNDO_WINDOW_S = 8.0
TOO_LATE = "已超过撤销时间，照片已删除"


@dataclass(frozen=True)
class Removal:
    """One 移除 that can still be undone: what left the record, from which record, until when."""

    record_id: str
    refs: tuple[EvidenceRef, ...]
    deadline: float  # on the monotonic clock

    @property
    def label(self) -> str:
        return self.refs[0].filename or self.refs[0].sha256[:12]


class EvidenceRemoval(Observable):
    """The last removal of the open record, undoable for `window_s` seconds."""

    def __init__(self, editor: VisitEditor, window_s: float = UNDO_WINDOW_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.editor, self.window_s, self.monotonic = editor, window_s, monotonic
        self.pending: Removal | None = None
        self._lock = threading.RLock()

    def remaining_s(self) -> float:
        """Seconds left to undo (0 when nothing is pending)."""
        with self._lock:
            return max(0.0, self.pending.deadline - self.monotonic()) if self.pending else 0.0

    def remove(self, sha: str) -> Removal:
        """Take a file out of the record; an earlier pending removal is settled first (one undo at a time)."""
        with self._lock:
            self.settle(force=True)
            record = self.editor.record
            if record is None:
                raise VisitError("没有正在编辑的调查记录")
            refs = tuple(self.editor.remove_evidence(sha))
            if not refs:
                raise VisitError("该留证已不在记录中")
            self.pending = Removal(record.id, refs, self.monotonic() + self.window_s)
        self._notify()
        return self.pending

    def undo(self) -> list[EvidenceRef]:
        """Put the removed file(s) back with their metadata; refused once the window has passed."""
        with self._lock:
            pending = self.pending
            if pending is None or self.monotonic() >= pending.deadline:
                self.settle()
                raise VisitError(TOO_LATE)
            record = self.editor.record
            if record is None or record.id != pending.record_id:
                self.settle(force=True)
                raise VisitError(TOO_LATE)
            self.editor.restore_evidence(list(pending.refs))
            self.pending = None
        self._notify()
        return list(pending.refs)

    def settle(self, force: bool = False) -> list[str]:
        """Shred the pending removal's files once its window has passed (`force`: now); returns the hashes
        shredded. Files still used by a draft or an unsent record are kept."""
        with self._lock:
            pending = self.pending
            if pending is None or (not force and self.monotonic() < pending.deadline):
                return []
            self.pending = None
            shredded = self.editor.shred_unused({r.sha256 for r in pending.refs})
        self._notify()
        return shredded
