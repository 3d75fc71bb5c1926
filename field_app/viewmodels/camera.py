"""The in-app camera (no flet here): several shots in a row, each checked, stored byte-exact and hashed
the moment it is taken, with the shot time and the tablet's position; preview, delete, retake.

A shot is evidence at once (VisitEditor.add_photo with origin camera): a killed app keeps it in the
draft. Deleting takes it out of the record; a retake deletes the shot and the next one takes its place.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime

from field_app.capture.web_camera import unmirrored
from field_app.errors import FieldAppError
from field_app.viewmodels.base import Observable, serialized
from field_app.viewmodels.visit import VisitEditor
from schemas.records import EvidenceRef, Location, Origin, Role

SAME_FRAME = "这张照片与本次已拍的一张完全相同（相机画面没有更新），未重复保存，请稍后再拍"


class CameraSession(Observable):
    """The shots of one visit to the camera screen, for one role (scene, refusal, cannot-sign proof)."""

    def __init__(self, editor: VisitEditor) -> None:
        self.editor = editor
        self.role = Role.SCENE
        self.shots: list[EvidenceRef] = []
        self.selected: str | None = None  # sha256 of the shot shown large
        self.retaking: int | None = None  # index the next shot replaces
        self.error = ""
        self.busy = False
        self._lock = threading.RLock()

    @serialized
    def open(self, role: Role) -> None:
        """Start a session for a role; refused before the notification step (R8)."""
        self.editor.check_capture()
        self.role, self.shots, self.selected, self.retaking, self.error = Role(role), [], None, None, ""
        self._notify()

    @serialized
    def shot(self, data: bytes, shot_at: datetime, location: Location | None,
             mirrored: bool = False) -> EvidenceRef | None:
        """Keep one picture as evidence now; a bad frame is refused with a reason (nothing is lost).
        `mirrored`: the web camera handed it over mirrored (capture/web_camera.py): turned back first."""
        if mirrored:
            data = unmirrored(data)
        if any(r.sha256 == hashlib.sha256(data).hexdigest() for r in self.shots):
            self.error = SAME_FRAME
            self._notify()
            return None
        number = len(self.shots) + 1 if self.retaking is None else self.retaking + 1
        name = f"拍摄-{shot_at.strftime('%Y%m%d-%H%M%S')}-{number}.jpg"
        try:
            ref = self.editor.add_photo(data, name, self.role, origin=Origin.CAMERA, shot_at=shot_at,
                                        shot_location=location)
        except FieldAppError as error:
            self.error = error.message
            self._notify()
            return None
        self.error = ""
        if self.retaking is not None and self.retaking <= len(self.shots):
            self.shots.insert(self.retaking, ref)
        else:
            self.shots.append(ref)
        self.selected, self.retaking = ref.sha256, None
        self._notify()
        return ref

    @serialized
    def select(self, sha: str) -> None:
        """Show one shot large (preview)."""
        self.selected = sha
        self._notify()

    @serialized
    def delete(self, sha: str) -> None:
        """Take a shot out of the record."""
        self._drop(sha)
        self.error = ""
        self._notify()

    @serialized
    def retake(self, sha: str) -> None:
        """Delete a shot; the next picture takes its place."""
        self.retaking, self.error = self._drop(sha), ""
        self._notify()

    def _drop(self, sha: str) -> int:
        index = next((i for i, r in enumerate(self.shots) if r.sha256 == sha), None)
        if index is None:
            raise FieldAppError("这张照片不在本次拍摄中")
        self.editor.remove_evidence(sha)
        del self.shots[index]
        if self.selected == sha:
            self.selected = self.shots[-1].sha256 if self.shots else None
        return index
