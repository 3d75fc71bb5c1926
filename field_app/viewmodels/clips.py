"""Video clips as evidence (R12 inability to sign, R13 refusals, scenes): typed by content, hashed
and sealed like photos, listed with size and (for MP4/MOV) duration. No flet here.

Web mode has no video recording in flet-camera that reaches Python, so clips are picked from files
(导入); on a device the camera app's file is picked the same way. Either way the bytes are sniffed
(MP4, MOV, WebM), never trusted by name, and stored encrypted (EvidenceStore.put_stream).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from field_app.errors import VisitError
from field_app.viewmodels.visit import VisitEditor
from schemas.media import NOT_A_VIDEO, mp4_duration_s, sniff_video
from schemas.records import EvidenceKind, EvidenceRef, Origin, Role

VIDEO_ROLES = (Role.SCENE, Role.CANNOT_SIGN_PROOF, Role.REFUSAL_PROOF)
VIDEO_EXTENSIONS = ["mp4", "mov", "m4v", "webm"]
MAX_VIDEO_BYTES = 500 * 1024 * 1024
TOO_BIG = "“{name}”超过 500 MB，请录制较短的视频"
HEAD = 64 * 1024


def _chunks(source: bytes | Path) -> Iterator[bytes]:
    if isinstance(source, bytes):
        view = memoryview(source)
        for i in range(0, len(source), 1 << 20):
            yield bytes(view[i:i + (1 << 20)])
        return
    with open(source, "rb") as f:
        while chunk := f.read(1 << 20):
            yield chunk


def _head_and_tail(source: bytes | Path) -> tuple[bytes, bytes, int]:
    if isinstance(source, bytes):
        return source[:HEAD], source[-HEAD:], len(source)
    size = source.stat().st_size
    with open(source, "rb") as f:
        head = f.read(HEAD)
        f.seek(max(0, size - HEAD))
        return head, f.read(HEAD), size


def add_video(editor: VisitEditor, source: bytes | Path, filename: str, role: Role = Role.SCENE,
              caption: str = "", origin: Origin = Origin.IMPORT, duration_s: float | None = None) -> EvidenceRef:
    """Check a clip by content, seal it encrypted, list it in the record with size and duration (read
    from an MP4/MOV; else `duration_s`, the time the app's own recording took)."""
    editor.check_capture()
    if Role(role) not in VIDEO_ROLES:
        raise VisitError("视频不能作为签名使用")
    head, tail, size = _head_and_tail(source)
    media_type = sniff_video(head)
    if media_type is None:
        raise VisitError(NOT_A_VIDEO.format(name=filename))
    if size > MAX_VIDEO_BYTES:
        raise VisitError(TOO_BIG.format(name=filename))
    duration = (mp4_duration_s(head) or mp4_duration_s(tail) if media_type != "video/webm" else None) or duration_s
    sha, stored = editor.evidence.put_stream(_chunks(source))
    now = editor.clock()
    ref = EvidenceRef(sha256=sha, size=stored, media_type=media_type, kind=EvidenceKind.VIDEO, role=Role(role),
                      captured_at=now, added_at=now, captured_by=editor.team.operator or "", filename=filename,
                      caption=caption, origin=origin, duration_s=duration)
    return editor.add_media(ref)
