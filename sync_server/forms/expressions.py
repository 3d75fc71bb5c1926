"""XLSForm expressions, the part of XPath that forms written in Excel use, turned into the form's data.

A `relevant` becomes a `Condition` (schemas/forms/conditions.py: evaluated the same way on the tablet
and the server, no eval()); a `constraint` becomes bounds, a length or a pattern on the field. What
has no faithful translation is refused with the expression quoted, never approximated: a form that
silently asked less than its author wrote would be worse than one that cannot be imported.

Relevant: `${a} = 'x'`, `!=`, `>`, `>=`, `<`, `<=` against a text or number literal, `${a} = ''` /
`${a} != ''` (not answered / answered), `selected(${a}, 'x')`, joined by `and` / `or` with brackets.
Constraint: `. >= 0 and . <= 120`, `regex(., '^[0-9]{6}$')`, `string-length(.) <= 200`, dates as
`. >= '2000-01-01'`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas.forms.conditions import Condition

TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})
  | (?P<text>'[^']*'|"[^"]*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>!=|>=|<=|=|>|<)
  | (?P<punct>[(),])
  | (?P<dot>\.(?![\d]))
  | (?P<word>[A-Za-z][A-Za-z0-9_-]*)
)""", re.VERBOSE)
OPS = {"=": "eq", "!=": "ne", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}
FLIPPED = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


class ExpressionError(ValueError):
    """An expression this product cannot carry over faithfully; the message says which part, in Chinese."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(expression: str) -> list[Token]:
    """The expression's tokens; an unknown character is refused with where it is."""
    out, at = [], 0
    text = expression.strip()
    while at < len(text):
        match = TOKEN.match(text, at)
        if not match or match.end() == at:
            raise ExpressionError(f"无法识别“{text[at:at + 12]}”")
        kind = match.lastgroup or ""
        out.append(Token(kind, match.group(kind)))
        at = match.end()
    return out


class _Parser:
    """Recursive descent over `or` / `and` / comparisons; `atom` is given per expression kind."""

    def __init__(self, expression: str, atom: Callable[[_Parser], object]) -> None:
        self.expression, self.items, self.at, self.atom = expression, tokens(expression), 0, atom

    def peek(self, kind: str | None = None, text: str | None = None) -> Token | None:
        token = self.items[self.at] if self.at < len(self.items) else None
        if token is None or (kind and token.kind != kind) or (text and token.text != text):
            return None
        return token

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        token = self.peek(kind, text)
        if token is None:
            found = self.items[self.at].text if self.at < len(self.items) else "表达式结尾"
            raise ExpressionError(f"“{self.expression}”中“{found}”处应为 {text or kind}")
        self.at += 1
        return token

    def whole(self) -> object:
        result = self.disjunction()
        if self.at != len(self.items):
            raise ExpressionError(f"“{self.expression}”中“{self.items[self.at].text}”之后无法理解")
        return result

    def disjunction(self) -> object:
        parts = [self.conjunction()]
        while self.peek("word", "or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self) -> object:
        parts = [self.primary()]
        while self.peek("word", "and"):
            self.take()
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def primary(self) -> object:
        if self.peek("punct", "("):
            self.take()
            inner = self.disjunction()
            self.take("punct", ")")
            return inner
        return self.atom(self)


def _literal(token: Token) -> str | int | float:
    if token.kind == "text":
        return token.text[1:-1]
    if token.kind == "number":
        return float(token.text) if "." in token.text else int(token.text)
    raise ExpressionError(f"“{token.text}”应为文字或数字")


def _comparison(parser: _Parser, subject: str, refused: str) -> tuple[Token, str, str | int | float]:
    """`subject op literal` (or `literal op subject`, turned round): the subject's token, the operator and the
    value; a function or keyword, or a comparison without the subject, is refused with `refused`."""
    if parser.peek("word"):
        raise ExpressionError(f"不支持函数或关键字“{parser.take().text}”")
    left = parser.take()
    op = OPS.get(parser.take("op").text, "")
    right = parser.take()
    if left.kind != subject and right.kind == subject:
        left, right, op = right, left, FLIPPED[op]
    if left.kind != subject:
        raise ExpressionError(f"{refused}（“{parser.expression}”）")
    return left, op, _literal(right)


# --- relevant ------------------------------------------------------------------------------------

def _relevant_atom(parser: _Parser) -> object:
    if parser.peek("word", "selected"):
        parser.take()
        parser.take("punct", "(")
        name = parser.take("ref").text[2:-1]
        parser.take("punct", ",")
        value = _literal(parser.take())
        parser.take("punct", ")")
        return ("leaf", name, "has", value)
    left, op, value = _comparison(parser, "ref", "比较应引用一个问题，如 ${name}")
    name = left.text[2:-1]
    if value == "" and op in ("eq", "ne"):
        return ("leaf", name, "not_answered" if op == "eq" else "answered", None)
    return ("leaf", name, op, value)


def relevant_tree(expression: str) -> object:
    """The parsed tree of a `relevant` expression, names still XLSForm names (`xlsform.py` maps them)."""
    return _Parser(expression, _relevant_atom).whole()


def to_condition(tree: Any, value_of: Callable[[str, str, object], tuple[str, object]]) -> Condition:
    """A Condition from a relevant tree; `value_of(name, op, literal)` gives the field id and the value as
    the form stores it (a choice's label for its XLSForm name, True/False for yes/no)."""
    kind = tree[0]
    if kind in ("and", "or"):
        parts = [to_condition(t, value_of) for t in tree[1]]
        return Condition(all=parts) if kind == "and" else Condition(any=parts)
    _, name, op, literal = tree
    field, value = value_of(name, op, literal)
    if op in ("answered", "not_answered"):
        return Condition(field=field, op=op)
    return Condition(field=field, op=op, value=value)  # type: ignore[arg-type]


# --- constraint ----------------------------------------------------------------------------------

@dataclass
class Bounds:
    """What a constraint sets on its field."""

    min: int | float | str | None = None
    max: int | float | str | None = None
    max_length: int | None = None
    pattern: str | None = None


def _constraint_atom(parser: _Parser) -> object:
    if parser.peek("word", "regex"):
        parser.take()
        parser.take("punct", "(")
        parser.take("dot")
        parser.take("punct", ",")
        pattern = _literal(parser.take("text"))
        parser.take("punct", ")")
        return ("pattern", pattern)
    if parser.peek("word", "string-length"):
        parser.take()
        parser.take("punct", "(")
        parser.take("dot")
        parser.take("punct", ")")
        op = OPS.get(parser.take("op").text, "")
        limit = _literal(parser.take("number"))
        if op not in ("le", "lt") or not isinstance(limit, int):
            raise ExpressionError("string-length(.) 只支持 <= 或 < 一个整数")
        return ("max_length", limit if op == "le" else limit - 1)
    _, op, value = _comparison(parser, "dot", "约束应针对本题的值“.”")
    if op in ("ge", "gt"):
        return ("min", value, op == "gt")
    if op in ("le", "lt"):
        return ("max", value, op == "lt")
    raise ExpressionError(f"约束不支持“{'=' if op == 'eq' else '!='}”比较（“{parser.expression}”）")


def constraint_bounds(expression: str, field_type: str) -> Bounds:
    """The bounds of a constraint joined by `and` (an `or` has no bounds to say it with: refused)."""
    tree = _Parser(expression, _constraint_atom).whole()
    parts = tree[1] if isinstance(tree, tuple) and tree[0] == "and" else [tree]
    bounds = Bounds()
    for part in parts:
        if not isinstance(part, tuple) or part[0] in ("and", "or"):
            raise ExpressionError(f"约束只支持用 and 连接的条件（“{expression}”）")
        if part[0] == "pattern":
            bounds.pattern = str(part[1])
        elif part[0] == "max_length":
            bounds.max_length = int(part[1])
        else:
            setattr(bounds, part[0], _bound(part[1], part[2], part[0], field_type, expression))
    return bounds


def _bound(value: object, strict: bool, side: str, field_type: str, expression: str) -> int | float | str:
    if field_type == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ExpressionError(f"日期约束应为“年-月-日”文字（“{expression}”）")
        if strict:
            raise ExpressionError(f"日期约束请用 >= 或 <=（“{expression}”）")
        return value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ExpressionError(f"数值约束应为数字（“{expression}”）")
    if strict:
        if field_type != "integer" or not isinstance(value, int):
            raise ExpressionError(f"小数的约束请用 >= 或 <=（“{expression}”）")
        return value + 1 if side == "min" else value - 1
    return value
