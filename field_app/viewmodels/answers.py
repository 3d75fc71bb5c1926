"""Turning what the surveyor typed into a form answer: pure, with a Chinese error for bad input.

Bounds, patterns and the money / date shapes are the form's rules, checked by the very function the
server uses (schemas.forms.rules.value_problem), so what the tablet accepts the server accepts."""
from __future__ import annotations

import math
import unicodedata

from field_app.errors import InputError
from schemas.forms import Field
from schemas.forms.rules import money_text, parse_date, parse_money, value_problem
from schemas.records import Cell

MAX_TEXT = 5000
YES, NO = {"是", "有", "yes", "true", "1"}, {"否", "无", "没有", "no", "false", "0"}


def parse_answer(field: Field, value: object, where: str = "", checked: bool = True) -> Cell | list[str] | None:
    """The answer to store for `value` (None clears it); raises InputError for bad input. `where` names a
    table cell in messages; `checked` (form v2 on) also applies the form's bounds and pattern."""
    answer = _parse(field, value, where or field.label)
    if answer is not None and checked:
        problem = value_problem(field, answer, where)
        if problem:
            raise InputError(field.id, problem)
    return answer


def _parse(field: Field, value: object, name: str) -> Cell | list[str] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.type == "table":
        raise InputError(field.id, f"{name}：请逐行填写")
    if field.type == "choices":
        return _choices(field, value, name)
    if field.type == "number":
        return _number(field, value)
    if field.type == "integer":
        return _integer(field, value, name)
    if field.type == "money":
        amount = parse_money(str(value)) if not isinstance(value, bool) else None
        if amount is None:
            raise InputError(field.id, f"{name}：“{value}”不是有效的金额（元，最多两位小数）")
        if amount < 0:
            raise InputError(field.id, f"{name}：金额不能为负数")
        return money_text(amount)
    if field.type == "date":
        day = parse_date(str(value))
        if day is None:
            raise InputError(field.id, f"{name}：“{value}”不是有效的日期（年-月-日，如 2024-03-01）")
        return day
    if field.type == "yesno":
        return _yesno(field, value)
    text = str(value).strip() if field.type != "longtext" else str(value).rstrip()
    if len(text) > MAX_TEXT:
        raise InputError(field.id, f"{field.label}：内容过长（最多 {MAX_TEXT} 字）")
    if field.type == "choice" and text not in field.options:
        raise InputError(field.id, f"{field.label}：请从选项中选择（{'、'.join(field.options)}）")
    return text


def _number(field: Field, value: object) -> int | float:
    if isinstance(value, bool):
        raise InputError(field.id, f"{field.label}：请输入数字")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        # full-width digits and signs (１２．５) become ASCII; thousands separators are dropped
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
        try:
            number = float(text)
        except ValueError:
            raise InputError(field.id, f"{field.label}：“{value}”不是有效的数字") from None
    if not math.isfinite(number):
        raise InputError(field.id, f"{field.label}：“{value}”不是有效的数字")
    if number < 0:
        raise InputError(field.id, f"{field.label}：不能为负数")
    return int(number) if number.is_integer() and abs(number) < 2 ** 53 else number


def _integer(field: Field, value: object, name: str) -> int:
    if isinstance(value, bool):
        raise InputError(field.id, f"{name}：请输入整数")
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
    if not text.lstrip("-").isdigit() or len(text) > 12:
        raise InputError(field.id, f"{name}：“{value}”不是整数")
    return int(text)


def _yesno(field: Field, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InputError(field.id, f"{field.label}：请选择“是”或“否”")


def _choices(field: Field, value: object, name: str) -> list[str] | None:
    """The options ticked, in the form's order (None when none is)."""
    ticked = [value] if isinstance(value, str) else value
    if not isinstance(ticked, (list, tuple, set)) or any(v not in field.options for v in ticked):
        raise InputError(field.id, f"{name}：请从选项中选择（{'、'.join(field.options)}）")
    chosen = [o for o in field.options if o in ticked]
    return chosen or None
