"""Relevance conditions written as data in the form JSON, and their evaluator (no eval(), never raises).

A condition is `{"field": "has_vehicle", "op": "eq", "value": true}` (`has`: a several-choice answer
includes the value, XLSForm's `selected()`), or `{"all": [...]}` /
`{"any": [...]}` of conditions (both may sit beside a leaf: every part must hold). A field or a
section with `relevant` is shown, asked and checked only while its condition holds.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

Op = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "has", "answered", "not_answered"]
Scalar = bool | int | float | str
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Condition(BaseModel):
    """One test on one answer, or all / any of several."""

    model_config = ConfigDict(extra="forbid")

    field: str = ""
    op: Op = "eq"
    value: Scalar | list[Scalar] | None = None
    all: list[Condition] = []
    any: list[Condition] = []


def answered(value: object) -> bool:
    """Whether an answer counts as given (blank text and empty tables do not)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def holds(condition: Condition, answers: Mapping[str, object]) -> bool:
    """Whether the condition holds over these answers; any odd value makes a leaf false, never an error."""
    try:
        leaf = _leaf(condition, answers) if condition.field else True
        return (leaf and all(holds(c, answers) for c in condition.all)
                and (not condition.any or any(holds(c, answers) for c in condition.any)))
    except RecursionError:
        return False


def _leaf(condition: Condition, answers: Mapping[str, object]) -> bool:
    value = answers.get(condition.field)
    op, expected = condition.op, condition.value
    if op == "answered":
        return answered(value)
    if op == "not_answered":
        return not answered(value)
    if not answered(value):
        return op == "ne"
    if op == "in":
        return isinstance(expected, list) and any(_equal(value, e) for e in expected)
    if op == "has":
        chosen = value if isinstance(value, list) else [value]
        return any(_equal(v, expected) for v in chosen)
    if isinstance(expected, list):
        return False
    if op in ("eq", "ne"):
        return _equal(value, expected) == (op == "eq")
    order = _compare(value, expected)
    if order is None:
        return False
    return {"gt": order > 0, "ge": order >= 0, "lt": order < 0, "le": order <= 0}[op]


def _equal(value: object, expected: object) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    order = _compare(value, expected)
    return order == 0 if order is not None else value == expected


def _number(value: object) -> Decimal | None:
    """A number from an int, a finite float or a decimal text (money); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,15}(\.\d{1,6})?", value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _compare(value: object, expected: object) -> int | None:
    """-1, 0 or 1 for two numbers or two ISO dates; None when they do not compare."""
    a, b = _number(value), _number(expected)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    if isinstance(value, str) and isinstance(expected, str) and ISO_DATE.match(value) and ISO_DATE.match(expected):
        return (value > expected) - (value < expected)
    return None
