"""Tiny Flet 1.0.5 web app used by test_flet_browser_smoke.py to check the browser test helpers.

Run: ``python tests/end_to_end/smoke_app.py PORT``. Results are shown as plain Text lines
(``PIN:...``, ``FILES:...``, ``ACTION:...``, ``STROKE:...``, ``CONFIRM:n``) for the test to read.
"""

import hashlib
import sys
from pathlib import Path

import flet as ft
import flet.canvas as cv

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def describe(files) -> str:
    return "|".join(
        f"{f.name}:{len(f.bytes or b'')}:{hashlib.sha256(f.bytes or b'').hexdigest()}" for f in files or []
    )


async def main(page: ft.Page):
    page.title = "核查外勤 smoke"
    page.fonts = {"cjk": "fonts/cjk.ttf"}
    page.theme = ft.Theme(font_family="cjk")

    pin_out = ft.Text("PIN:")
    files_out = ft.Text("FILES:")
    action_out = ft.Text("ACTION:")
    stroke_out = ft.Text("STROKE:")
    confirm_out = ft.Text("CONFIRM:0")

    def pin_changed(e):
        pin_out.value = f"PIN:{e.control.value}"

    # 1) Python awaits the picker: the usual way, fine on Android/desktop and Chromium.
    picker = ft.FilePicker()

    async def pick(e):
        files = await picker.pick_files(allow_multiple=True, with_data=True)
        files_out.value = "FILES:" + describe(files)

    # 2) Client-side action: the browser opens the picker inside the user's tap (needed on iOS web).
    def on_result(e: ft.FilePickerResultEvent):
        action_out.value = "ACTION:" + describe(e.files)

    action_picker = ft.FilePicker(on_result=on_result)

    # Signature pad: GestureDetector over a Canvas; points in the pad's local pixels.
    strokes: list[list[tuple[float, float]]] = []
    canvas = cv.Canvas(shapes=[], width=400, height=200)
    ink = ft.Paint(stroke_width=3, color=ft.Colors.BLACK, stroke_cap=ft.StrokeCap.ROUND)

    def pan_start(e: ft.DragStartEvent):
        strokes.append([(e.local_position.x, e.local_position.y)])

    def pan_update(e: ft.DragUpdateEvent):
        if not strokes:
            return
        (px, py), (x, y) = strokes[-1][-1], (e.local_position.x, e.local_position.y)
        strokes[-1].append((x, y))
        canvas.shapes.append(cv.Line(px, py, x, y, paint=ink))
        canvas.update()

    def pan_end(e: ft.DragEndEvent):
        s = strokes[-1]
        stroke_out.value = (
            f"STROKE:{len(strokes)}:{len(s)}:{s[0][0]:.0f},{s[0][1]:.0f}:{s[-1][0]:.0f},{s[-1][1]:.0f}"
        )

    pad = ft.Semantics(
        identifier="signature-pad",
        container=True,
        content=ft.GestureDetector(
            content=ft.Container(
                content=canvas,
                width=400,
                height=200,
                bgcolor=ft.Colors.WHITE,
                border=ft.Border.all(1, ft.Colors.GREY),
            ),
            drag_interval=10,
            on_pan_start=pan_start,
            on_pan_update=pan_update,
            on_pan_end=pan_end,
        ),
    )

    def confirm(e):
        confirm_out.value = f"CONFIRM:{int(confirm_out.value.split(':')[1]) + 1}"

    page.add(
        ft.Text("现场核查：签名与照片", size=28, weight=ft.FontWeight.BOLD),
        ft.TextField(label="PIN", on_change=pin_changed, width=300),
        ft.Row(
            [
                ft.Button("选择照片", on_click=pick),
                ft.Semantics(
                    identifier="action-pick",
                    content=ft.Button(
                        "附加照片",
                        action=ft.PickFiles(action_picker, allow_multiple=True, with_data=True),
                    ),
                ),
            ]
        ),
        pad,
        ft.Semantics(identifier="confirm-button", content=ft.Button("确认", on_click=confirm)),
        pin_out,
        files_out,
        action_out,
        stroke_out,
        confirm_out,
    )


if __name__ == "__main__":
    ft.run(
        main,
        view=ft.AppView.WEB_BROWSER,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        assets_dir=str(ASSETS_DIR),
        no_cdn=True,
    )
