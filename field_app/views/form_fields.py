"""One control per form question, typed by the form's data (schemas/forms)."""
from __future__ import annotations

import flet as ft

from field_app.errors import FieldAppError
from field_app.viewmodels.visit import VisitEditor
from field_app.views.widgets import safe, tagged
from schemas.forms import Field


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_control(editor: VisitEditor, field: Field) -> ft.Control:
    """A control that saves its answer to the draft on every change (a killed app loses nothing)."""
    value = editor.record.answers.get(field.id) if editor.record else None
    label = field.label + (" *" if field.required else "")
    if field.type in ("choice", "yesno"):
        return _choice(editor, field, label, value)
    box = ft.TextField(label=label, value=_text(value), text_size=18, hint_text=field.hint or None,
                       multiline=field.type == "longtext", min_lines=3 if field.type == "longtext" else 1,
                       keyboard_type=ft.KeyboardType.NUMBER if field.type == "number" else None,
                       error=editor.errors.get(field.id))

    def changed(e: ft.Event) -> None:
        try:
            editor.set_answer(field.id, box.value)
            box.error = None
        except FieldAppError as error:  # a bad number, or a full disk: shown under the field
            box.error = error.message
        box.update()

    box.on_change = safe(changed)
    return box


def _choice(editor: VisitEditor, field: Field, label: str, value: object) -> ft.Control:
    options = field.options if field.type == "choice" else ["是", "否"]
    current = ("是" if value else "否") if field.type == "yesno" and value is not None else value

    def changed(e: ft.Event) -> None:
        chosen = e.control.value
        editor.set_answer(field.id, chosen == "是" if field.type == "yesno" else chosen)

    radios = ft.Row([tagged(f"answer-{field.id}-{o}", ft.Radio(value=o, label=o, label_style=ft.TextStyle(size=18)))
                     for o in options], wrap=True, spacing=24)
    return ft.Column([ft.Text(label, size=18), ft.RadioGroup(content=radios, value=current, on_change=safe(changed))],
                     spacing=4)
