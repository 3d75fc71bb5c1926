"""One visit record, step by step: a rail of steps (with what each still lacks) and the step itself."""
from __future__ import annotations

import flet as ft

from field_app.viewmodels.steps import lacking_by_step, visit_steps
from field_app.views.context import SessionContext
from field_app.views.shell import rail_width
from field_app.views.visit_pages import PAGES
from field_app.views.widgets import DANGER, OK, big_button, heading, note, safe, tagged
from schemas.completeness import CHECK_LABELS


def visit_screen(ctx: SessionContext) -> ft.Control:
    """The open record; back to the case list when none is open."""
    editor = ctx.model.visit
    if editor.record is None or editor.form is None:
        return ft.Column([note("没有正在填写的记录"), big_button("返回案件列表", lambda e: ctx.go("cases"))])
    form = editor.form
    steps = visit_steps(form, editor.record)
    ids = [s.id for s in steps]
    current = ctx.view_state.get("step")
    if current not in ids:
        current = ids[0]
        ctx.view_state["step"] = current

    def go(step_id: str) -> None:
        if step_id != ctx.view_state.get("step"):
            ctx.leave_step()  # a removal waiting for its undo becomes final
        ctx.view_state["step"] = step_id
        ctx.render()

    def items() -> list[ft.Control]:
        lacking = lacking_by_step(form, editor.missing())
        return [_rail_item(s.id, s.title, s.id == current, lacking.get(s.id, 0), go) for s in steps]

    rail = ft.Column(items(), spacing=2, scroll=ft.ScrollMode.AUTO, width=rail_width(ctx.page.width or 1280))

    def refresh_rail() -> None:
        """Every saved edit (a keystroke in an answer too) redraws the rail's counts, and only the rail."""
        record = editor.record
        if ctx.current != "visit" or ctx.rail is not rail or record is None:
            return  # this rail is no longer on screen
        if visit_steps(form, record) != steps:
            return  # the steps themselves changed (a refusal): the screen is drawn again by its handler
        rail.controls = items()
        rail.update()

    ctx.rail = rail
    ctx.watch("rail", editor, refresh_rail)  # this session's rail; the one it drew before is dropped
    index = ids.index(current)
    nav = ft.Row([
        big_button("上一步", lambda e: go(ids[index - 1]), "step-back", primary=False, disabled=index == 0),
        big_button("下一步", lambda e: go(ids[index + 1]), "step-next", disabled=index == len(ids) - 1),
    ], alignment=ft.MainAxisAlignment.END, spacing=16)
    case = editor.case
    title = f"{CHECK_LABELS[editor.record.kind]} · {case.title if case else editor.record.case_id}"
    page = ft.Column([heading(title, 22), tagged("step-title", heading(steps[index].title, 20)),
                      ft.Column([PAGES[_page_key(current)](ctx)], scroll=ft.ScrollMode.AUTO, expand=True),
                      nav], expand=True, spacing=12)
    return ft.Row([rail, ft.VerticalDivider(), page], expand=True, vertical_alignment=ft.CrossAxisAlignment.START)


def _page_key(step_id: str) -> str:
    return "section" if step_id.startswith("section-") else step_id


def _rail_item(step_id: str, title: str, selected: bool, lacking: int, go) -> ft.Control:
    mark = ft.Icon(ft.Icons.CHECK_CIRCLE, color=OK, size=22) if not lacking else \
        ft.Container(ft.Text(str(lacking), color=ft.Colors.WHITE, size=13), bgcolor=DANGER, border_radius=11,
                     width=22, height=22, alignment=ft.Alignment.CENTER)
    body = ft.Container(ft.Row([mark, ft.Text(title, size=17, weight=ft.FontWeight.BOLD if selected else None)]),
                        bgcolor=ft.Colors.BLUE_50 if selected else None, padding=ft.Padding.symmetric(horizontal=12),
                        border_radius=8, on_click=safe(lambda e: go(step_id)), height=48)
    return tagged(f"step-{step_id}", body)
