"""A signature pad as wide as the screen allows (upright or landscape): strokes drawn with finger or pen
(a touch that never moves is a dot), kept by a PadStrokes view-model as fractions of the pad with their
time, so a rotation or a resize redraws every stroke in its place. The view-model renders the PNG and
keeps the raw strokes."""
from __future__ import annotations

from collections.abc import Callable

import flet as ft
import flet.canvas as cv

from field_app.viewmodels.pad import PadStrokes, pad_size
from field_app.views.widgets import big_button, note, safe, tagged

INK = ft.Paint(stroke_width=4, color=ft.Colors.BLACK, stroke_cap=ft.StrokeCap.ROUND)
DOT = ft.Paint(color=ft.Colors.BLACK, style=ft.PaintingStyle.FILL)
TimedStrokes = list[list[tuple[float, float, float]]]


def signature_pad(identifier: str, title: str, on_done: Callable[[TimedStrokes, int, int], bool],
                  signed_png: bytes | None = None, *, strokes: PadStrokes | None = None,
                  available_width: float | None = None) -> ft.Control:
    """A titled pad. With an existing signature it shows it and offers to sign again.

    `strokes` outlives this control (the caller keeps it per pad), so strokes survive a re-render."""
    holder = ft.Column(spacing=8)
    pen = strokes if strokes is not None else PadStrokes()
    width, height = pad_size(available_width)

    def sign_again(e: ft.Event) -> None:
        pen.clear()
        show_pad()
        holder.update()

    def show_signed(png: bytes) -> None:
        holder.controls = [
            note(title, size=18),
            ft.Container(ft.Image(src=png, width=width, height=height, fit=ft.BoxFit.CONTAIN),
                         border=ft.Border.all(1, ft.Colors.GREEN_400), bgcolor=ft.Colors.WHITE),
            ft.Row([note("✓ 已签名", ft.Colors.GREEN_700),
                    big_button("重新签名", sign_again, f"{identifier}-again", primary=False)]),
        ]

    def show_pad() -> None:
        canvas = cv.Canvas(shapes=[*(cv.Line(*seg, paint=INK) for seg in pen.lines(width, height)),
                                   *(_dot(x, y) for x, y in pen.dots(width, height))],
                           width=width, height=height)

        touched: list[tuple[float, float]] = []  # where the finger came down
        let_go: list[bool] = []  # one entry per drag (of the two) that has given up on this touch

        def down(e: ft.DragDownEvent) -> None:
            touched[:] = [(e.local_position.x, e.local_position.y)]
            let_go.clear()

        def cancelled(e: ft.Event) -> None:
            # both drags give up when the finger lifts before it moved far enough: a dot (丶 in 国), kept
            # (when one drag wins, only the other gives up, just before the winner starts)
            let_go.append(True)
            if len(let_go) == 2 and touched:
                x, y = touched.pop()
                pen.begin(x, y, width, height)
                canvas.shapes.append(_dot(x, y))
                canvas.update()

        def start(e: ft.DragStartEvent) -> None:
            # a drag is recognised only once the finger has moved some pixels: the stroke begins where it came down
            x, y = touched.pop() if touched else (e.local_position.x, e.local_position.y)
            pen.begin(x, y, width, height)
            draw_to(e.local_position.x, e.local_position.y)

        def move(e: ft.DragUpdateEvent) -> None:
            draw_to(e.local_position.x, e.local_position.y)

        def draw_to(x: float, y: float) -> None:
            segment = pen.extend(x, y, width, height)
            if segment is not None:
                canvas.shapes.append(cv.Line(*segment, paint=INK))
                canvas.update()

        def clear(e: ft.Event) -> None:
            pen.clear()
            canvas.shapes.clear()
            canvas.update()

        def done(e: ft.Event) -> None:
            if on_done(pen.timed(width, height), width, height):
                pen.clear()

        # Horizontal and vertical drags, not a pan: on a page that scrolls, the page's own vertical drag
        # would take an upright finger stroke from a pan (it is recognised after 18 px, a pan after 36);
        # between two vertical drags the pad's, the innermost, wins. Each reports the finger's whole position.
        pad = ft.GestureDetector(
            content=ft.Container(canvas, width=width, height=height, bgcolor=ft.Colors.WHITE,
                                 border=ft.Border.all(2, ft.Colors.GREY_500), border_radius=8),
            drag_interval=10, on_horizontal_drag_down=safe(down), on_vertical_drag_down=safe(down),
            on_horizontal_drag_start=safe(start), on_vertical_drag_start=safe(start),
            on_horizontal_drag_update=safe(move), on_vertical_drag_update=safe(move),
            on_horizontal_drag_cancel=safe(cancelled), on_vertical_drag_cancel=safe(cancelled))
        holder.controls = [
            note(title + "（请在框内签名）", size=18),
            ft.Semantics(identifier=identifier, container=True, content=pad),
            ft.Row([big_button("清除", clear, f"{identifier}-clear", primary=False),
                    big_button("确认签名", done, f"{identifier}-confirm", icon=ft.Icons.CHECK)], spacing=12),
        ]

    if signed_png and not pen.strokes:
        show_signed(signed_png)
    else:
        show_pad()
    return tagged(f"{identifier}-box", holder)


def _dot(x: float, y: float) -> cv.Circle:
    return cv.Circle(x=x, y=y, radius=(INK.stroke_width or 4) / 2, paint=DOT)
