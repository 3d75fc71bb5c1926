"""Adding a batch of photos with progress per file: the screen shows which file is being checked,
and the add buttons are off until the batch is done (taps during the work are not silently lost).

Each photo is fully decoded (seconds for a large HEIC), so the view runs `run()` in its handler
thread and re-renders on every change it subscribed to; the editor's own lock keeps each addition whole.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from field_app.errors import FieldAppError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.visit import VisitEditor
from schemas.evidence_checks import flag_label
from schemas.records import Origin, Role

log = logging.getLogger(__name__)


@dataclass
class BatchState:
    """What the screen shows while (and after) a batch is checked."""

    total: int = 0
    done: int = 0
    current: str = ""  # the file being checked now
    added: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "<file>：<reason>"
    warnings: list[str] = field(default_factory=list)  # "<file>：<flag text>"

    @property
    def busy(self) -> bool:
        """Whether a batch is being checked right now."""
        return self.done < self.total

    def progress_text(self) -> str:
        """正在检查第 i/n 张：name."""
        return f"正在检查第 {self.done + 1}/{self.total} 张：{self.current}" if self.busy else ""

    def summary(self) -> str:
        """One line after the batch: how many added, and why others were refused."""
        parts = [f"已添加 {len(self.added)} 张照片（已计算校验值）"] if self.added else []
        if self.refused:
            parts.append(f"{len(self.refused)} 张未添加：" + "；".join(self.refused))
        return "；".join(parts)


class PhotoBatch(Observable):
    """One batch of picked photos at a time, per role."""

    def __init__(self, editor: VisitEditor) -> None:
        self.editor = editor
        self.state = BatchState()
        self.role: Role | None = None
        self._lock = threading.Lock()

    def begin(self, role: Role, names: list[str]) -> bool:
        """Claim the batch for these files; False when one is already running (the tap is refused)."""
        with self._lock:
            if self.state.busy:
                return False
            self.role, self.state = Role(role), BatchState(total=len(names), current=names[0] if names else "")
        self._notify()
        return True

    def run(self, files: list[tuple[str, bytes]], origin: Origin = Origin.IMPORT) -> BatchState:
        """Check and add every file (after `begin`); one bad file never loses the others."""
        state, role = self.state, self.role or Role.SCENE
        for name, data in files:
            state.current = name
            self._notify()
            try:
                ref = self.editor.add_photo(data, name, role, origin=origin)
                state.added.append(name)
                state.warnings.extend(f"{name}：{flag_label(f)}" for f in ref.flags)
            except FieldAppError as error:
                state.refused.append(error.message if name in error.message else f"{name}：{error.message}")
            except Exception:  # a bug in one file must not lose the others
                log.exception("photo %s failed", name)
                state.refused.append(f"{name}：处理失败（程序内部错误，已记录日志）")
            state.done += 1
        state.current = ""
        self._notify()
        return state
