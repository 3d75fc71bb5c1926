"""The verification methods an entrustment names (§5.2.2, §5.3.1.1; R23): they bind the case."""
from __future__ import annotations

from enum import Enum

from schemas.records import VisitKind


class Method(str, Enum):
    """A method of verification; `Case.required_checks` holds the entrusted ones by value."""

    INFORMATION_CHECK = "information_check"  # 信息核查
    HOME_VISIT = "home_visit"  # 入户调查 (= VisitKind.HOME_VISIT)
    NEIGHBOUR_INTERVIEW = "neighbour_interview"  # 邻里访问 (= VisitKind.NEIGHBOUR_INTERVIEW)
    LETTER_REQUEST = "letter_request"  # 信函索证


METHOD_NAMES: dict[Method, str] = {
    Method.INFORMATION_CHECK: "信息核查",
    Method.HOME_VISIT: "入户调查",
    Method.NEIGHBOUR_INTERVIEW: "邻里访问",
    Method.LETTER_REQUEST: "信函索证",
}


def field_kinds(methods: list[str]) -> list[VisitKind]:
    """The field visits (records a tablet may make) among the entrusted methods, in a stable order."""
    wanted = set(methods)
    return [kind for kind in VisitKind if kind.value in wanted]
