"""Photos as evidence: pick them, see them upright with origin, time, place and flags, remove a wrong one.
Each is fully decoded and hashed when added."""
from __future__ import annotations

import asyncio
import logging

import flet as ft

from field_app.errors import FieldAppError
from field_app.views.camera_screen import open_camera
from field_app.views.context import SessionContext
from field_app.views.photo_viewer import open_viewer
from field_app.views.thumbnails import thumbnail
from field_app.views.widgets import DANGER, big_button, note, tagged, toast
from schemas.evidence_checks import beijing_text, flag_label
from schemas.records import EvidenceKind, EvidenceRef, Origin, Role

log = logging.getLogger(__name__)
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "heic", "heif", "webp"]


def photo_block(ctx: SessionContext, role: Role, identifier: str, title: str, required: bool = True) -> ft.Control:
    """A titled grid of the record's photos of one role, with an add button; a batch shows its progress
    per file and the button stays off until it is done (R10). Nothing before the notification step (R8)."""
    editor, batch = ctx.model.visit, ctx.model.photos

    async def add(e: ft.Event) -> None:
        files = await ctx.services.picker.pick_files(allow_multiple=True, with_data=True,
                                                     file_type=ft.FilePickerFileType.CUSTOM,
                                                     allowed_extensions=PHOTO_EXTENSIONS)
        picked = [(f.name, f.bytes or b"") for f in files or []]
        if not picked:
            return
        if not batch.begin(role, [name for name, _ in picked]):
            toast(ctx.page, "正在检查上一批照片，请稍候", error=True)
            return
        stop = batch.subscribe(ctx.render)  # this session shows the batch's progress per file
        try:
            await asyncio.to_thread(batch.run, picked)
        finally:
            stop()
        await asyncio.to_thread(ctx.render)  # never the session's lock on the event loop's thread

    try:
        editor.check_capture()
        blocked = ""
    except FieldAppError as error:
        blocked = error.message
    state = batch.state if batch.role == role else None
    busy = batch.state.busy
    button = big_button("正在检查照片…" if busy else "添加照片（导入）", add, identifier, icon=ft.Icons.ADD_A_PHOTO,
                        disabled=busy or bool(blocked))

    async def shoot(e: ft.Event) -> None:
        await open_camera(ctx, role)

    camera = big_button("拍照", shoot, f"{identifier}-camera", icon=ft.Icons.CAMERA_ALT,
                        disabled=busy or bool(blocked))
    rows: list[ft.Control] = [ft.Row([note(title, size=18), camera, button], wrap=True)]
    if blocked:
        rows.append(tagged(f"{identifier}-blocked", note(blocked, DANGER)))
    if state is not None and state.busy:
        rows += [ft.ProgressBar(value=state.done / max(state.total, 1), width=400),
                 tagged(f"{identifier}-progress", note(state.progress_text()))]
    elif state is not None and state.total:
        rows.append(tagged(f"{identifier}-result", note(state.summary(), DANGER if state.refused else None)))
        rows += [note(f"⚠ {w}", ft.Colors.ORANGE_800, 14) for w in state.warnings[:8]]
    tiles = [_tile(ctx, ref) for ref in editor.evidence_of(role) if ref.kind == EvidenceKind.PHOTO]
    rows.append(ft.Row(tiles, wrap=True, spacing=12) if tiles
                else note("尚未添加照片", DANGER if required else None))
    return ft.Column(rows, spacing=12)


def _offer_undo(ctx: SessionContext, ref: EvidenceRef) -> None:
    """"已移除 · 撤销" above the bottom row for the undo window; the file is shredded once it passes."""
    removal = ctx.model.removal
    assert removal is not None
    pending = removal.pending

    def undo(e: ft.Event) -> None:
        if ctx.act(removal.undo, "已撤销移除"):
            ctx.render()

    async def settle_later() -> None:
        await asyncio.sleep(removal.remaining_s() + 0.2)
        if removal.pending is pending:  # not undone, not settled by leaving the step
            await asyncio.to_thread(ctx.act, removal.settle)

    seconds = max(1, round(removal.remaining_s()))
    ctx.page.show_dialog(ft.SnackBar(
        content=tagged("removed-undo", ft.Text(f"已移除 {ref.filename[:18]}", size=16)),
        action=ft.SnackBarAction(label="撤销", on_click=ctx.guard(undo)), behavior=ft.SnackBarBehavior.FLOATING,
        margin=ft.Margin.only(left=260, right=20, bottom=90), duration=ft.Duration(seconds=seconds)))
    ctx.page.update()
    ctx.page.run_task(settle_later)


def _tile(ctx: SessionContext, ref: EvidenceRef) -> ft.Control:
    sha, removal = ref.sha256, ctx.model.removal
    assert removal is not None
    def remove(e: ft.Event) -> None:
        if ctx.act(lambda: removal.remove(sha)):
            ctx.render()
            _offer_undo(ctx, ref)

    def enlarge(e: ft.Event) -> None:
        open_viewer(ctx, sha, ref.role)

    try:
        image: ft.Control = tagged(f"photo-open-{sha[:12]}", ft.Container(ft.Image(
            src=thumbnail(ctx, sha), width=200, height=150, fit=ft.BoxFit.COVER, border_radius=6),
            on_click=ctx.guard(enlarge), tooltip="点按放大"))
    except (OSError, FieldAppError):
        image = note("照片无法读取", DANGER)

    origin = "导入" if ref.origin == Origin.IMPORT else "拍摄"
    place = f"{ref.location.lat:.5f}, {ref.location.lon:.5f}" if ref.location else "无位置"
    flags = [ft.Text(flag_label(f), size=12, color=ft.Colors.ORANGE_800) for f in ref.flags]
    return tagged(f"photo-{sha[:12]}", ft.Column([
        image, ft.Text(f"{ref.filename[:18]} · {sha[:8]}", size=13),
        ft.Text(f"{origin} · {beijing_text(ref.captured_at)} · {place}", size=12), *flags,
        tagged(f"photo-remove-{sha[:12]}",
               ft.TextButton(content="移除", icon=ft.Icons.DELETE, on_click=ctx.guard(remove), height=48)),
    ], spacing=2, horizontal_alignment=ft.CrossAxisAlignment.CENTER))
