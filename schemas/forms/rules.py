"""The form's rules over a record's answers: one function set for the tablet (live, offline) and the server.

- `relevant_fields(form, answers)`: the questions asked now (a section's or field's `relevant`
  condition holds). Hidden questions are not required, and their answers are ignored here and
  dropped by the tablet (`visible_answers`).
- `answer_problems(form, answers)`: every answer that breaks its field's type or bounds, and every
  required cell left empty in a table row, each a `Problem` naming the field (and row) in Chinese.
- `value_problem(field, value)`: one answer's problem, for the tablet to show under the field.

Money is a text with exactly two decimals ("2100.00", yuan; `money_text` / `parse_money`), dates
ISO texts ("2024-03-01"); neither is ever a float.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from schemas.forms import Field, Form
from schemas.forms.conditions import answered, holds

MONEY = re.compile(r"^(0|[1-9]\d{0,11})\.\d{2}$")  # up to 999 999 999 999.99 yuan
EARLIEST, LATEST = "1900-01-01", "2100-12-31"  # dates outside are typing mistakes
MONEY_MAX = Decimal("999999999999.99")


@dataclass(frozen=True)
class Problem:
    """One broken rule: which field (and table row and column), and what to say."""

    field: str
    message: str
    row: int | None = None  # 0-based; shown 1-based
    column: str | None = None

    @property
    def code(self) -> str:
        """`answer.<field>` or `answer.<field>.<row>.<column>` (the tablet maps it to its step)."""
        return f"answer.{self.field}" + (f".{self.row}.{self.column}" if self.row is not None else "")


def money_text(amount: Decimal) -> str:
    """The wire form of an amount of yuan: two decimals, no sign, no exponent."""
    return f"{amount.quantize(Decimal('0.01')):f}"


def parse_money(text: str) -> Decimal | None:
    """What a surveyor typed (全角 digits, 1,200 or ¥) as yuan with at most two decimals; None if not."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "")
    cleaned = cleaned.removeprefix("¥").removesuffix("元").strip()
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", cleaned):
        return None
    return Decimal(cleaned)


def parse_date(text: str) -> str | None:
    """An ISO date (also 2024/3/1 or 2024年3月1日) as `YYYY-MM-DD`; None if it is no real date."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", cleaned)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def is_relevant(field: Field, answers: Mapping[str, object]) -> bool:
    """Whether the field is asked over these answers."""
    return field.relevant is None or holds(field.relevant, answers)


def relevant_fields(form: Form, answers: Mapping[str, object]) -> list[Field]:
    """The questions asked now, in form order (sections and fields whose condition holds)."""
    return _asked(form, visible_answers(form, answers))


def _asked(form: Form, shown: Mapping[str, object]) -> list[Field]:
    """The questions asked over answers already cleared of hidden ones (`visible_answers`)."""
    return [f for s in form.sections if s.relevant is None or holds(s.relevant, shown)
            for f in s.fields if is_relevant(f, shown)]


def visible_answers(form: Form, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers without those of hidden questions (and hidden cells of table rows); answers the
    form does not name are kept as they are. Repeated until stable: a hidden answer shows nothing."""
    current = dict(answers)
    fields = {f.id: (s, f) for s in form.sections for f in s.fields}
    for _ in range(len(fields) + 1):
        kept: dict[str, object] = {}
        for key, value in current.items():
            if key not in fields:
                kept[key] = value
                continue
            section, field = fields[key]
            if (section.relevant is None or holds(section.relevant, current)) and is_relevant(field, current):
                kept[key] = _visible_rows(field, value, current) if field.type == "table" else value
        if kept == current:
            return kept
        current = kept
    return current


def _visible_rows(field: Field, value: object, answers: Mapping[str, object]) -> object:
    if not isinstance(value, list) or not any(c.relevant for c in field.columns):
        return value
    rows = []
    for row in value:
        if not isinstance(row, dict):
            rows.append(row)
            continue
        context = {**answers, **row}
        names = {c.id: c for c in field.columns}
        rows.append({k: v for k, v in row.items() if k not in names or is_relevant(names[k], context)})
    return rows


def answer_problems(form: Form, answers: Mapping[str, object]) -> list[Problem]:
    """Every rule the answers of the asked questions break (required top-level questions left empty are
    reported by schemas.completeness, as before)."""
    if not form.checked_answers:
        return []
    out: list[Problem] = []
    shown = visible_answers(form, answers)
    for field in _asked(form, shown):
        value = shown.get(field.id)
        if not answered(value) and field.type != "table":
            continue
        if field.type == "table":
            out.extend(_table_problems(field, value, shown))
        else:
            message = value_problem(field, value)
            if message:
                out.append(Problem(field.id, message))
    return out


def _table_problems(field: Field, value: object, answers: Mapping[str, object]) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        return [Problem(field.id, f"{field.label}：应为表格（多行）")]
    if len(value) > field.max_rows:
        return [Problem(field.id, f"{field.label}：最多 {field.max_rows} 行")]
    out = []
    for index, row in enumerate(value):
        context = {**answers, **row}
        for column in field.columns:
            if not is_relevant(column, context):
                continue
            where = f"{field.label} 第 {index + 1} 行「{column.label}」"
            cell = row.get(column.id)
            if not answered(cell):
                if column.required:
                    out.append(Problem(field.id, f"{where}：未填写", index, column.id))
                continue
            message = value_problem(column, cell, where)
            if message:
                out.append(Problem(field.id, message, index, column.id))
    return out


def value_problem(field: Field, value: object, where: str = "") -> str | None:
    """What is wrong with one (given) answer to this field, in Chinese; None when it keeps the rules."""
    name = where or field.label
    checker = _CHECKS.get(field.type, _text)
    return checker(field, value, name)


def _text(field: Field, value: object, name: str) -> str | None:
    if not isinstance(value, str):
        return f"{name}：应为文字"
    if field.max_length is not None and len(value) > field.max_length:
        return f"{name}：最多 {field.max_length} 字"
    if field.pattern and not re.fullmatch(field.pattern, value):
        return f"{name}：格式不正确" + (f"（{field.hint}）" if field.hint else "")
    return None


def _choice(field: Field, value: object, name: str) -> str | None:
    if value not in field.options:
        return f"{name}：请从选项中选择（{'、'.join(field.options)}）"
    return None


def _choices(field: Field, value: object, name: str) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"{name}：应为所选的选项"
    if len(set(value)) != len(value) or any(v not in field.options for v in value):
        return f"{name}：请从选项中选择（{'、'.join(field.options)}）"
    return None


def _yesno(field: Field, value: object, name: str) -> str | None:
    return None if isinstance(value, bool) else f"{name}：请选择“是”或“否”"


def _number(field: Field, value: object, name: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{name}：应为数字"
    return _bounds(field, Decimal(repr(value)) if isinstance(value, float) else Decimal(value), name)


def _integer(field: Field, value: object, name: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name}：应为整数"
    return _bounds(field, Decimal(value), name)


def _money(field: Field, value: object, name: str) -> str | None:
    if not isinstance(value, str) or not MONEY.match(value):
        return f"{name}：金额应为元，最多两位小数（如 1200.50）"
    return _bounds(field, Decimal(value), name, "元")


def _bounds(field: Field, number: Decimal, name: str, unit: str = "") -> str | None:
    low, high = _decimal(field.min), _decimal(field.max)
    if low is not None and number < low:
        return f"{name}：不能小于 {field.min}{unit}"
    if high is not None and number > high:
        return f"{name}：不能大于 {field.max}{unit}"
    return None


def _decimal(bound: object) -> Decimal | None:
    if bound is None or isinstance(bound, bool):
        return None
    try:
        return Decimal(str(bound))
    except InvalidOperation:
        return None


def _date(field: Field, value: object, name: str) -> str | None:
    if not isinstance(value, str) or parse_date(value) != value:
        return f"{name}：日期应为“年-月-日”（如 2024-03-01）"
    earliest = str(field.min) if field.min is not None else EARLIEST
    latest = str(field.max) if field.max is not None else LATEST
    if value < earliest:
        return f"{name}：不能早于 {earliest}"
    if value > latest:
        return f"{name}：不能晚于 {latest}"
    return None


def _table(field: Field, value: object, name: str) -> str | None:
    problems = _table_problems(field, value, {})
    return problems[0].message if problems else None


_CHECKS = {"choice": _choice, "choices": _choices, "yesno": _yesno, "number": _number, "integer": _integer,
           "money": _money, "date": _date, "table": _table}


def answer_text(field: Field, value: object, blank: str = "（未填写）") -> str:
    """An answer as people read it (read-back, console, PDF): tables one row per line."""
    if not answered(value):
        return blank
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and field.type == "choices":
        return "、".join(str(v) for v in value)
    if isinstance(value, list):
        lines = []
        for index, row in enumerate(value):
            cells = row if isinstance(row, dict) else {}
            parts = [f"{c.label} {answer_text(c, cells.get(c.id), '—')}" for c in field.columns if c.id in cells]
            lines.append(f"{index + 1}. " + "，".join(parts))
        return "\n".join(lines)
    return f"{value}{field.unit}" if field.unit and field.type in ("money", "integer", "number") else str(value)
