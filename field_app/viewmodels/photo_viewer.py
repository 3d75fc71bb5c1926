"""The full-screen photo viewer behind a tapped tile: which photo, the ones beside it, and what to show (no flet).

The image is a display copy decoded from the encrypted store in memory (upright, scaled to fit),
never written to disk; the evidence file stays as captured. Swipes and ←/→ move between the photos
of the same grid (one role), in the order the record lists them.
"""
from __future__ import annotations

from dataclasses import dataclass

from field_app.capture.photo import display_jpeg
from field_app.errors import VisitError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.visit import VisitEditor
from schemas.evidence_checks import beijing_text, flag_label
from schemas.records import EvidenceKind, EvidenceRef, Origin, Role

DISPLAY_SIDE = 1600
SWIPE_MIN_PX = 60.0  # a horizontal drag this long is a swipe (by distance: the velocity Flutter reports is 0
# when the finger rests 40 ms before lifting, which a loaded tablet or browser does)


@dataclass(frozen=True)
class ViewerInfo:
    """The lines under the enlarged photo."""

    title: str  # file name and position ("2 / 5")
    shot: str  # 拍摄时间 or 导入 with its EXIF time
    origin: str  # 拍摄 / 导入
    place: str
    flags: tuple[str, ...]


class PhotoViewer(Observable):
    """Open on one photo of a role; next/previous wrap around; close forgets the display copy."""

    def __init__(self, editor: VisitEditor, side: int = DISPLAY_SIDE) -> None:
        self.editor, self.side = editor, side
        self.role: Role | None = None
        self.sha: str | None = None
        self._copies: dict[str, bytes] = {}  # sha -> display JPEG, for the photos of this opening only

    @property
    def is_open(self) -> bool:
        return self.sha is not None

    def photos(self) -> list[EvidenceRef]:
        """The photos the viewer moves between (the grid's role)."""
        if self.role is None or self.editor.record is None:
            return []
        return [e for e in self.editor.evidence_of(self.role) if e.kind == EvidenceKind.PHOTO]

    def open(self, sha: str, role: Role) -> None:
        """Show one photo of the record full screen."""
        self.role, self.sha = Role(role), sha
        if self.current() is None:
            self.close()
            raise VisitError("该照片已不在记录中")
        self._notify()

    def close(self) -> None:
        self.role = self.sha = None
        self._copies.clear()
        self._notify()

    def current(self) -> EvidenceRef | None:
        return next((e for e in self.photos() if e.sha256 == self.sha), None)

    def step(self, delta: int) -> None:
        """Move `delta` photos on (wrapping); closes when the photo left the record meanwhile."""
        photos = self.photos()
        index = next((i for i, e in enumerate(photos) if e.sha256 == self.sha), None)
        if index is None:
            self.close()
            return
        self.sha = photos[(index + delta) % len(photos)].sha256
        self._notify()

    def swipe(self, dx: float) -> None:
        """A horizontal drag of `dx` pixels: right to left shows the next photo, left to right the previous."""
        if abs(dx) >= SWIPE_MIN_PX:
            self.step(1 if dx < 0 else -1)

    def key(self, name: str) -> None:
        """A key pressed while the viewer is open (Arrow Left / Arrow Right / Escape)."""
        moves = {"Arrow Right": 1, "Arrow Left": -1}
        if name in moves:
            self.step(moves[name])
        elif name == "Escape":
            self.close()

    def image(self) -> bytes:
        """The current photo as an upright JPEG scaled to fit the screen (decrypted in memory)."""
        if self.sha is None:
            raise VisitError("没有打开的照片")
        if self.sha not in self._copies:
            self._copies[self.sha] = display_jpeg(self.editor.evidence.read(self.sha), self.side)
        return self._copies[self.sha]

    def info(self) -> ViewerInfo:
        """What the reviewer of the photo needs to see beside it."""
        ref = self.current()
        if ref is None:
            raise VisitError("该照片已不在记录中")
        photos = self.photos()
        position = f"{[e.sha256 for e in photos].index(ref.sha256) + 1} / {len(photos)}"
        imported = ref.origin == Origin.IMPORT
        place = f"{ref.location.lat:.5f}, {ref.location.lon:.5f}" if ref.location else "无位置"
        return ViewerInfo(title=f"{ref.filename or ref.sha256[:12]}　{position}",
                          shot=(("拍摄时间（照片自带）" if imported else "拍摄时间") + "："
                                + beijing_text(ref.captured_at)),
                          origin="导入" if imported else "本机拍摄", place=place,
                          flags=tuple(flag_label(f) for f in ref.flags))
