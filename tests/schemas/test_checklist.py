"""The case checklist (R1, R9–R17, R23): only entrusted methods; what a refusal satisfies (R13), as a table."""
import pytest

from schemas.checklist import COMPLETE, INCOMPLETE, REFUSED_RETURN, LetterFacts, case_completeness
from schemas.forms import form_for
from schemas.methods import Method
from schemas.records import Outcome, SurveyRecord, VisitKind
from tests.schemas.factories import complete_record

HOME, NEIGHBOUR = Method.HOME_VISIT, Method.NEIGHBOUR_INTERVIEW


def visit(kind: VisitKind, outcome: Outcome = Outcome.COMPLETED, who: str = "王建国", n: int = 1) -> SurveyRecord:
    record = complete_record(form_for(kind), f"rec-{kind.value}-{outcome.value}-{n}")
    record.outcome = outcome
    record.respondent.name = who
    return record


HV, HV_REFUSED = visit(VisitKind.HOME_VISIT), visit(VisitKind.HOME_VISIT, Outcome.REFUSED)
NB1 = visit(VisitKind.NEIGHBOUR_INTERVIEW, who="邻居甲", n=1)
NB2 = visit(VisitKind.NEIGHBOUR_INTERVIEW, who="邻居乙", n=2)
NB1_AGAIN = visit(VisitKind.NEIGHBOUR_INTERVIEW, who="邻居甲", n=3)
NB_DECLINED = visit(VisitKind.NEIGHBOUR_INTERVIEW, Outcome.REFUSED, who="邻居丙", n=4)

# (entrusted methods, merged records, expected status, expected (code, ok) of the method lines)
TABLE = [
    ([HOME], [], INCOMPLETE, [("home_visit", False)]),
    ([HOME], [HV], COMPLETE, [("home_visit", True)]),
    # R13 refused, no neighbour interview entrusted: recorded, but never 齐全; back to the unit (§4.1 b)
    ([HOME], [HV_REFUSED], REFUSED_RETURN, [("home_visit", True)]),
    # the family let the team in after all: the completed visit replaces the refusal
    ([HOME], [HV_REFUSED, HV], COMPLETE, [("home_visit", True)]),
    ([HOME, NEIGHBOUR], [HV, NB1], COMPLETE, [("home_visit", True), ("neighbour_interview", True)]),
    ([HOME, NEIGHBOUR], [HV], INCOMPLETE, [("home_visit", True), ("neighbour_interview", False)]),
    # refused and neighbour interview entrusted: two different neighbours are then needed
    ([HOME, NEIGHBOUR], [HV_REFUSED, NB1], INCOMPLETE, [("home_visit", True), ("neighbour_interview", False)]),
    ([HOME, NEIGHBOUR], [HV_REFUSED, NB1, NB1_AGAIN], INCOMPLETE,
     [("home_visit", True), ("neighbour_interview", False)]),
    ([HOME, NEIGHBOUR], [HV_REFUSED, NB1, NB2], COMPLETE, [("home_visit", True), ("neighbour_interview", True)]),
    # R15: a neighbour who declines is recorded, and does not count
    ([NEIGHBOUR], [NB_DECLINED], INCOMPLETE, [("neighbour_interview", False)]),
    ([NEIGHBOUR], [NB_DECLINED, NB2], COMPLETE, [("neighbour_interview", True)]),
    # neighbour only entrusted: records of other kinds are not asked for (and the server refuses them)
    ([NEIGHBOUR], [NB1], COMPLETE, [("neighbour_interview", True)]),
    # R42: 信息核查 with no data imported is not met (nothing queried is not "nothing found")
    ([Method.INFORMATION_CHECK, HOME], [HV], INCOMPLETE, [("information_check", False), ("home_visit", True)]),
]


@pytest.mark.parametrize(("methods", "records", "status", "lines"), TABLE)
def test_the_checklist_asks_only_for_the_entrusted_methods_and_knows_what_a_refusal_satisfies(
        methods, records, status, lines):
    """R13, R14–R16, R23: each row is one policy decision (see schemas/checklist.py)."""
    result = case_completeness(authorization=True, entrustment=True, required_checks=methods, records=records)
    assert result.status == status
    assert result.complete is (status == COMPLETE)
    assert [(i.code, i.ok) for i in result.items[2:]] == lines
    assert all(i.rule for i in result.items), "every line cites its R-id"


def test_a_case_whose_only_record_is_a_refused_visit_is_not_complete():
    """Issue 6: it used to show 齐全."""
    result = case_completeness(authorization=True, entrustment=True, required_checks=[HOME], records=[HV_REFUSED])
    assert not result.complete and result.status_label == "拒绝入户 — 退回委托单位"


def test_letter_requests_need_an_answer():
    """R17, R31: sent is not enough; the answer must have arrived."""
    def line(letters):
        return case_completeness(authorization=True, entrustment=True, required_checks=[Method.LETTER_REQUEST],
                                 records=[], letters=letters).items[2]
    assert not line([]).ok
    assert not line([LetterFacts(id="l1", answered=False)]).ok
    assert line([LetterFacts(id="l1", answered=False), LetterFacts(id="l2", answered=True)]).ok


def test_returned_records_and_lines_do_not_count_until_a_new_record_comes():
    """R11: a returned record no longer satisfies its line; a returned line is open with its reason."""
    result = case_completeness(authorization=True, entrustment=True, required_checks=[HOME], records=[HV],
                               returned_records={HV.id: "照片模糊"})
    assert [(i.code, i.ok) for i in result.items[2:]] == [("home_visit", False), (f"returned.{HV.id}", False)]
    result = case_completeness(authorization=True, entrustment=True, required_checks=[HOME], records=[HV],
                               returned_lines={"home_visit": "缺少收入证明照片"})
    assert not result.complete and "缺少收入证明照片" in result.items[2].detail


def test_no_papers_no_completeness():
    """R1."""
    result = case_completeness(authorization=False, entrustment=True, required_checks=[HOME], records=[HV])
    assert not result.complete and result.status == INCOMPLETE


def test_information_check_is_met_only_with_imported_data():
    """R42: the line ticks once data-matching lines were imported, and says how many."""
    none = case_completeness(authorization=True, entrustment=True, required_checks=[Method.INFORMATION_CHECK, HOME],
                             records=[HV])
    some = case_completeness(authorization=True, entrustment=True, required_checks=[Method.INFORMATION_CHECK, HOME],
                             records=[HV], matching_lines=3)
    line = {i.code: i for i in none.items}["information_check"]
    assert (line.ok, line.detail, none.complete) == (False, "尚未导入数据比对结果（未查询）", False)
    line = {i.code: i for i in some.items}["information_check"]
    assert (line.ok, line.detail, some.complete) == (True, "已导入数据比对结果 3 条", True)
