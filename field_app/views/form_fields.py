"""One control per form question, typed by the form's data (schemas/forms): text, numbers, money, dates,
choices, and tables (one card per row). The rules live in the view-model and schemas; this only draws."""
from __future__ import annotations

import contextlib
from collections.abc import Callable

import flet as ft

from field_app.errors import FieldAppError
from field_app.viewmodels.form_answers import cell_key
from field_app.viewmodels.visit import VisitEditor
from field_app.views.widgets import DANGER, big_button, safe, tagged
from schemas.forms import Field

NUMERIC = ("number", "integer", "money")
KEYBOARDS = {"number": ft.KeyboardType.NUMBER, "integer": ft.KeyboardType.NUMBER, "money": ft.KeyboardType.NUMBER,
             "date": ft.KeyboardType.DATETIME}
HINTS = {"money": "元，如 1200.50", "date": "年-月-日，如 2024-03-01", "integer": "整数"}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_control(editor: VisitEditor, field: Field, relayout: Callable[[], None]) -> ft.Control:
    """A control that saves its answer to the draft on every change (a killed app loses nothing);
    `relayout` draws the step again (a table gained a row, a choice showed or hid a question)."""
    value = editor.record.answers.get(field.id) if editor.record else None
    label = field.label + (" *" if field.required else "")
    if field.type == "table":
        return _table(editor, field, relayout)
    shown = {f.id for f in editor.relevant()}

    def save(answer: object) -> bool:
        editor.set_answer(field.id, answer)
        if {f.id for f in editor.relevant()} != shown:  # this answer showed or hid another question
            relayout()
            return True
        return False

    if field.type in ("choice", "yesno"):
        return _choice(field, label, value, f"answer-{field.id}", save)
    if field.type == "choices":
        return _ticks(field, label, value, f"answer-{field.id}", save)
    return _box(field, label, value, editor.errors.get(field.id), save)


def _box(field: Field, label: str, value: object, error: str | None, save: Callable[[str], object]) -> ft.TextField:
    """A text box; `save` returns True when it drew the step again (then this box is gone)."""
    box = ft.TextField(label=label, value=_text(value), text_size=18, hint_text=field.hint or HINTS.get(field.type),
                       multiline=field.type == "longtext", min_lines=3 if field.type == "longtext" else 1,
                       keyboard_type=KEYBOARDS.get(field.type, ft.KeyboardType.TEXT), error=error,
                       suffix=ft.Text(field.unit) if field.unit else None)

    def changed(e: ft.Event) -> None:
        try:
            if save(box.value or ""):
                return
            box.error = None
        except FieldAppError as refused:  # a bad number, a rule broken, or a full disk: shown under the field
            box.error = refused.message
        box.update()

    box.on_change = safe(changed)
    return box


def _choice(field: Field, label: str, value: object, handle: str, save: Callable[[object], object]) -> ft.Control:
    options = field.options if field.type == "choice" else ["是", "否"]
    current = ("是" if value else "否") if field.type == "yesno" and value is not None else value
    chosen_now = None if current is None else str(current)

    def changed(e: ft.Event) -> None:
        chosen = e.control.value
        # kept in editor.errors by the view-model; shown when the step is drawn again
        with contextlib.suppress(FieldAppError):
            save(chosen == "是" if field.type == "yesno" else chosen)

    radios = ft.Row([tagged(f"{handle}-{o}", ft.Radio(value=o, label=o, label_style=ft.TextStyle(size=18)))
                     for o in options], wrap=True, spacing=24)
    return ft.Column([ft.Text(label, size=18),
                      ft.RadioGroup(content=radios, value=chosen_now, on_change=safe(changed))],
                     spacing=4)


def _ticks(field: Field, label: str, value: object, handle: str, save: Callable[[object], object]) -> ft.Control:
    """A several-choice question: one large checkbox per option, the ticked ones saved as a list."""
    ticked = set(value) if isinstance(value, list) else set()
    boxes = [ft.Checkbox(label=o, value=o in ticked, label_style=ft.TextStyle(size=18)) for o in field.options]

    def changed(e: ft.Event) -> None:
        chosen = [o for o, box in zip(field.options, boxes, strict=True) if box.value]
        with contextlib.suppress(FieldAppError):  # kept in editor.errors; shown when the step is drawn again
            save(chosen)

    for box in boxes:
        box.on_change = safe(changed)
    shown = [tagged(f"{handle}-{o}", box) for o, box in zip(field.options, boxes, strict=True)]
    return ft.Column([ft.Text(label, size=18), ft.Row(shown, wrap=True, spacing=24)], spacing=4)


def _table(editor: VisitEditor, field: Field, relayout: Callable[[], None]) -> ft.Control:
    """Rows as cards, each with its cells and a 删除此行 button; 添加一行 below (large targets)."""
    rows = editor.rows(field.id)
    cards = [_row_card(editor, field, i, row, relayout) for i, row in enumerate(rows)]

    def add(e: ft.Event) -> None:
        try:
            editor.add_row(field.id)
        except FieldAppError as error:
            editor.errors[field.id] = error.message
        relayout()

    error = editor.errors.get(field.id)
    title = ft.Text(field.label + (" *" if field.required else "") + (f"（{len(rows)} 行）" if rows else "（尚无）"),
                    size=18, weight=ft.FontWeight.BOLD)
    parts: list[ft.Control] = [title]
    if field.hint:
        parts.append(ft.Text(field.hint, size=15, color=ft.Colors.GREY_700))
    parts += cards
    if error:
        parts.append(ft.Text(error, color=DANGER, size=15))
    parts.append(big_button("添加一行", add, f"{field.id}-add-row", icon=ft.Icons.ADD, primary=False))
    return tagged(f"table-{field.id}", ft.Column(parts, spacing=10))


def _cell_saver(editor: VisitEditor, field: Field, index: int, column_id: str,
                relayout: Callable[[], None]) -> Callable[[object], bool]:
    """Saves one cell; draws the step again only when that showed or hid a cell of its row."""
    def shown() -> list[bool]:
        return [editor.cell_relevant(field.id, index, c) for c in field.columns]

    def save(value: object) -> bool:
        before = shown()
        editor.set_cell(field.id, index, column_id, value)
        if shown() != before:
            relayout()
            return True
        return False

    return save


def _row_card(editor: VisitEditor, field: Field, index: int, row: dict, relayout: Callable[[], None]) -> ft.Control:
    cells: list[ft.Control] = []
    for column in field.columns:
        if not editor.cell_relevant(field.id, index, column):
            continue
        handle = f"cell-{field.id}-{index}-{column.id}"
        label = column.label + (" *" if column.required else "")
        save = _cell_saver(editor, field, index, column.id, relayout)
        if column.type in ("choice", "yesno"):
            cells.append(_choice(column, label, row.get(column.id), handle, save))
            continue
        error = editor.errors.get(cell_key(field.id, index, column.id))
        cells.append(tagged(handle, _box(column, label, row.get(column.id), error, save)))

    def remove(e: ft.Event) -> None:
        editor.remove_row(field.id, index)
        relayout()

    head = ft.Row([ft.Text(f"第 {index + 1} 行", size=17, weight=ft.FontWeight.BOLD, expand=True),
                   big_button("删除此行", remove, f"{field.id}-{index}-remove", icon=ft.Icons.DELETE, primary=False)])
    body = ft.Column([head, *cells], spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    return ft.Card(content=ft.Container(body, padding=ft.Padding.all(14)))
