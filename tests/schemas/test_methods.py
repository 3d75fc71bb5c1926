"""R23: the entrusted methods bind the case; only home visits and neighbour interviews are field records."""
from schemas.methods import METHOD_NAMES, Method, field_kinds
from schemas.records import VisitKind


def test_every_method_has_a_chinese_name() -> None:
    assert set(METHOD_NAMES) == set(Method)


def test_field_kinds_keep_only_field_visits_r23() -> None:
    assert field_kinds(["letter_request", "neighbour_interview"]) == [VisitKind.NEIGHBOUR_INTERVIEW]
    assert field_kinds(["information_check"]) == []
    assert field_kinds(["neighbour_interview", "home_visit"]) == [VisitKind.HOME_VISIT,
                                                                  VisitKind.NEIGHBOUR_INTERVIEW]
