"""Answers to the form's questions on the open draft: typed parsing, table rows, relevance (form v2).

A mixin of `VisitEditor` (no flet): parsing and rules come from schemas (the server checks the same),
hidden questions' answers are dropped on save, and each input error is kept under its field or cell."""
from __future__ import annotations

import threading
from collections.abc import Callable

from field_app.errors import VisitError
from field_app.viewmodels.answers import parse_answer
from field_app.viewmodels.base import serialized
from schemas.forms import Field, Form
from schemas.forms.rules import is_relevant, relevant_fields, visible_answers
from schemas.records import Answer, Cell, SurveyRecord

__all__ = ["FormAnswers", "cell_key"]


def cell_key(field_id: str, index: int, column_id: str) -> str:
    """Where a table cell's input error is kept in `errors`."""
    return f"{field_id}.{index}.{column_id}"


class FormAnswers:
    """Setting answers and table cells on the draft (the editor supplies the record and saving)."""

    record: SurveyRecord | None
    form: Form | None
    errors: dict[str, str]
    _lock: threading.RLock
    # supplied by VisitEditor (annotations only: nothing here shadows them in the method order)
    _require: Callable[[], SurveyRecord]
    _update: Callable[..., SurveyRecord]
    _notify: Callable[[], None]

    def _field(self, field_id: str) -> Field:
        field = next((f for f in self.form.fields() if f.id == field_id), None)  # type: ignore[union-attr]
        if field is None:
            raise VisitError(f"表单中没有问题 {field_id}")
        return field

    def _save_answers(self, answers: dict[str, Answer], key: str) -> None:
        """Save the answers without those of questions now hidden (form v2 relevance); `key` is where an
        error is shown (a field id, or `<table>.<row>.<column>`)."""
        visible = visible_answers(self.form, answers)  # type: ignore[arg-type]
        try:
            self._update(answers=visible)
        except VisitError as error:
            self.errors[key] = error.message
            self._notify()
            raise
        self.errors.pop(key, None)

    def _parsed(self, field: Field, value: object, key: str, where: str = "") -> Cell | list[str] | None:
        try:
            return parse_answer(field, value, where, checked=self.form.checked_answers)  # type: ignore[union-attr]
        except VisitError as error:
            self.errors[key] = error.message
            self._notify()
            raise

    @serialized
    def set_answer(self, field_id: str, value: object) -> None:
        """Set one answer from what was typed or chosen; raises InputError (and keeps it in `errors`)."""
        record = self._require()
        field = self._field(field_id)
        answer = self._parsed(field, value, field_id)
        answers = {k: v for k, v in record.answers.items() if k != field_id}
        if answer is not None:
            answers[field_id] = answer
        self._save_answers(answers, field_id)

    # --- tables (form v2: one row per family member, per property item) ---------------------

    def rows(self, field_id: str) -> list[dict[str, Cell]]:
        """The rows of a table answer (none yet: empty)."""
        value = self._require().answers.get(field_id)
        return [dict(r) for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    @serialized
    def add_row(self, field_id: str) -> int:
        """Append an empty row to a table; its index. Refused beyond the table's most rows."""
        self._require()
        field = self._field(field_id)
        rows = self.rows(field_id)
        if field.type != "table":
            raise VisitError(f"{field.label} 不是表格")
        if len(rows) >= field.max_rows:
            raise VisitError(f"{field.label}：最多 {field.max_rows} 行")
        self._save_answers({**self._require().answers, field_id: [*rows, {}]}, field_id)
        return len(rows)

    @serialized
    def remove_row(self, field_id: str, index: int) -> None:
        """Delete one row of a table (its errors go with it; later rows move up)."""
        rows = self.rows(field_id)
        if not 0 <= index < len(rows):
            raise VisitError("没有这一行")
        del rows[index]
        answers = {k: v for k, v in self._require().answers.items() if k != field_id}
        if rows:
            answers[field_id] = rows
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith(f"{field_id}.")}
        self._save_answers(answers, field_id)

    @serialized
    def set_cell(self, field_id: str, index: int, column_id: str, value: object) -> None:
        """Set one cell of a table row from what was typed or chosen; InputError under that cell."""
        field = self._field(field_id)
        column = next((c for c in field.columns if c.id == column_id), None)
        rows = self.rows(field_id)
        if column is None or not 0 <= index < len(rows):
            raise VisitError(f"{field.label}：没有这一格")
        key = cell_key(field_id, index, column_id)
        answer = self._parsed(column, value, key, f"{field.label} 第 {index + 1} 行「{column.label}」")
        row = {k: v for k, v in rows[index].items() if k != column_id}
        if isinstance(answer, list):  # several choices are never a table cell (refused when a form is imported)
            raise VisitError(f"{field.label}：表格中不能多选")
        if answer is not None:
            row[column_id] = answer
        rows[index] = row
        self._save_answers({**self._require().answers, field_id: rows}, key)

    def relevant(self, section_id: str | None = None) -> list[Field]:
        """The questions asked now (of one section), by the form's relevance rules over the draft."""
        record = self._require()
        shown = relevant_fields(self.form, record.answers)  # type: ignore[arg-type]
        if section_id is None:
            return shown
        section = next(s for s in self.form.sections if s.id == section_id)  # type: ignore[union-attr]
        ids = {f.id for f in section.fields}
        return [f for f in shown if f.id in ids]

    def cell_relevant(self, field_id: str, index: int, column: Field) -> bool:
        """Whether one cell of a row is asked (e.g. 面积 only for a 住房 row)."""
        rows = self.rows(field_id)
        row = rows[index] if 0 <= index < len(rows) else {}
        return is_relevant(column, {**self._require().answers, **row})

