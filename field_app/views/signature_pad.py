"""A signature pad: strokes drawn with finger or pen, kept as points, rendered to PNG by the view-model."""
from __future__ import annotations

from collections.abc import Callable

import flet as ft
import flet.canvas as cv

from field_app.views.widgets import big_button, note, tagged

PAD_WIDTH, PAD_HEIGHT = 600, 240
INK = ft.Paint(stroke_width=4, color=ft.Colors.BLACK, stroke_cap=ft.StrokeCap.ROUND)

Strokes = list[list[tuple[float, float]]]


def signature_pad(identifier: str, title: str, on_done: Callable[[Strokes], bool],
                  signed_png: bytes | None = None) -> ft.Control:
    """A titled pad. With an existing signature it shows it and offers to sign again."""
    holder = ft.Column(spacing=8)

    def show_signed() -> None:
        holder.controls = [
            note(title, size=18),
            ft.Container(ft.Image(src=signed_png, width=PAD_WIDTH, height=PAD_HEIGHT, fit=ft.BoxFit.CONTAIN),
                         border=ft.Border.all(1, ft.Colors.GREEN_400), bgcolor=ft.Colors.WHITE),
            ft.Row([note("✓ 已签名", ft.Colors.GREEN_700),
                    big_button("重新签名", lambda e: show_pad(), f"{identifier}-again", primary=False)]),
        ]

    def show_pad() -> None:
        strokes: Strokes = []
        canvas = cv.Canvas(shapes=[], width=PAD_WIDTH, height=PAD_HEIGHT)

        def start(e: ft.DragStartEvent) -> None:
            strokes.append([(e.local_position.x, e.local_position.y)])

        def move(e: ft.DragUpdateEvent) -> None:
            if not strokes:
                return
            (px, py), (x, y) = strokes[-1][-1], (e.local_position.x, e.local_position.y)
            strokes[-1].append((x, y))
            canvas.shapes.append(cv.Line(px, py, x, y, paint=INK))
            canvas.update()

        def clear(e: ft.Event) -> None:
            strokes.clear()
            canvas.shapes.clear()
            canvas.update()

        def done(e: ft.Event) -> None:
            on_done([list(s) for s in strokes])

        pad = ft.GestureDetector(
            content=ft.Container(canvas, width=PAD_WIDTH, height=PAD_HEIGHT, bgcolor=ft.Colors.WHITE,
                                 border=ft.Border.all(2, ft.Colors.GREY_500), border_radius=8),
            drag_interval=10, on_pan_start=start, on_pan_update=move)
        holder.controls = [
            note(title + "（请在框内签名）", size=18),
            ft.Semantics(identifier=identifier, container=True, content=pad),
            ft.Row([big_button("清除", clear, f"{identifier}-clear", primary=False),
                    big_button("确认签名", done, f"{identifier}-confirm", icon=ft.Icons.CHECK)], spacing=12),
        ]

    if signed_png:
        show_signed()
    else:
        show_pad()
    return tagged(f"{identifier}-box", holder)
