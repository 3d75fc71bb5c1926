"""Photos as evidence: pick them, see them upright, remove a wrong one. Each is hashed when added."""
from __future__ import annotations

import logging

import flet as ft

from field_app.capture.photo import thumbnail_png
from field_app.errors import FieldAppError
from field_app.views.shell import Shell
from field_app.views.widgets import DANGER, big_button, note, tagged, toast
from schemas.records import Role

log = logging.getLogger(__name__)
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "heic", "heif", "webp"]


def photo_block(shell: Shell, role: Role, identifier: str, title: str, required: bool = True) -> ft.Control:
    """A titled grid of the record's photos of one role, with an add button."""
    editor = shell.model.visit

    async def add(e: ft.Event) -> None:
        files = await shell.picker.pick_files(allow_multiple=True, with_data=True,
                                              file_type=ft.FilePickerFileType.CUSTOM,
                                              allowed_extensions=PHOTO_EXTENSIONS)
        added, refused = 0, []
        for f in files or []:
            try:
                editor.add_photo(f.bytes or b"", f.name, role)
                added += 1
            except FieldAppError as error:
                refused.append(f"{f.name}：{error.message}")
            except Exception:  # a bug in one file must not lose the others
                log.exception("photo %s failed", f.name)
                refused.append(f"{f.name}：处理失败（程序内部错误，已记录日志）")
        if refused:
            toast(shell.page, "；".join(refused), error=True)
        elif added:
            toast(shell.page, f"已添加 {added} 张照片（已计算校验值）")
        shell.render()

    tiles = [_tile(shell, ref.sha256, ref.filename) for ref in editor.evidence_of(role)]
    return ft.Column([
        ft.Row([note(title, size=18), big_button("添加照片", add, identifier, icon=ft.Icons.ADD_A_PHOTO)]),
        ft.Row(tiles, wrap=True, spacing=12) if tiles else note("尚未添加照片", DANGER if required else None),
    ], spacing=12)


_THUMBNAILS: dict[str, bytes] = {}  # sha256 -> PNG; evidence never changes under its hash


def _thumbnail(shell: Shell, sha: str) -> bytes:
    if sha not in _THUMBNAILS:
        _THUMBNAILS[sha] = thumbnail_png(shell.model.visit.evidence.read(sha), 240)
    return _THUMBNAILS[sha]


def _tile(shell: Shell, sha: str, filename: str) -> ft.Control:
    editor = shell.model.visit
    try:
        image: ft.Control = ft.Image(src=_thumbnail(shell, sha), width=200, height=150,
                                     fit=ft.BoxFit.COVER, border_radius=6)
    except (OSError, FieldAppError):
        image = note("照片无法读取", DANGER)

    def remove(e: ft.Event) -> None:
        editor.remove_evidence(sha)
        shell.render()

    return tagged(f"photo-{sha[:12]}", ft.Column([
        image, ft.Text(f"{filename[:18]} · {sha[:8]}", size=13),
        ft.TextButton(content="移除", icon=ft.Icons.DELETE, on_click=remove, height=44),
    ], spacing=2, horizontal_alignment=ft.CrossAxisAlignment.CENTER))
