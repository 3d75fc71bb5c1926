"""Turning what the surveyor typed into a form answer: pure, with a Chinese error for bad input."""
from __future__ import annotations

import math
import unicodedata

from field_app.errors import InputError
from schemas.forms import Field
from schemas.records import Answer

MAX_TEXT = 5000
YES, NO = {"是", "有", "yes", "true", "1"}, {"否", "无", "没有", "no", "false", "0"}


def parse_answer(field: Field, value: object) -> Answer | None:
    """The answer to store for `value` (None clears it); raises InputError for bad input."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field.type == "number":
        return _number(field, value)
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


def _yesno(field: Field, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InputError(field.id, f"{field.label}：请选择“是”或“否”")
