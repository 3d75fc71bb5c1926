"""When a report may be issued (R18, R32, R33, R42), and by whom.

The agency's electronic seal goes only on a report that states what was established: issued by a holder
of the 核查报告岗 who did not survey the case, with field work on record when field work was entrusted,
a result for every entrusted method, and the review accepted. Each refusal has its own stable code and
a Chinese message, the same for the API and the console (both call `refuse_unless_issuable`).
"""
from __future__ import annotations

from sqlmodel import Session

from schemas.methods import METHOD_NAMES, Method, field_kinds
from schemas.problems import Code, ProblemError
from schemas.review import REVIEW_STATUS_LABELS, ReviewStatus
from schemas.staffing import Post
from sync_server.accounts.posts import refuse_own_survey, require_post
from sync_server.casework import review
from sync_server.casework.record_standing import counted_ids
from sync_server.tables import Account, Case


def methods_without_result(facts: review.ReviewFacts) -> list[Method]:
    """The entrusted methods with nothing to report: no data imported, no counted record, no answered letter."""
    counted = counted_ids(facts.records, facts.entries)
    kinds = {r.kind for r in facts.records if r.id in counted}
    out = []
    for value in dict.fromkeys(facts.methods()):
        method = Method(value)
        if method == Method.INFORMATION_CHECK:
            has = facts.matching > 0
        elif method == Method.LETTER_REQUEST:
            has = any(letter.answered for letter in facts.letters)
        else:
            has = method.value in kinds
        if not has:
            out.append(method)
    return out


def refuse_unless_issuable(session: Session, case: Case, actor: Account) -> None:
    """Raise the first reason the report may not be issued now by `actor`; return when it may."""
    require_post(actor, Post.REPORT)
    refuse_own_survey(session, actor, case)
    facts = review.case_facts(session, case)
    counted = counted_ids(facts.records, facts.entries)
    if field_kinds(facts.methods()) and not counted:
        raise ProblemError(Code.REPORT_NO_FIELD_WORK, "入户调查、邻里访问均为 0 次", case_id=case.id)
    missing = methods_without_result(facts)
    if missing:
        names = "、".join(METHOD_NAMES[m] for m in missing)
        raise ProblemError(Code.REPORT_METHOD_WITHOUT_RESULT, f"尚无结果：{names}",
                           methods=[m.value for m in missing])
    returns = review.open_returns(facts, {})
    status = review.status_of(facts, returns)
    if status != ReviewStatus.ACCEPTED:
        raise ProblemError(Code.REPORT_REVIEW_NOT_ACCEPTED, "审核状态：" + REVIEW_STATUS_LABELS[status],
                           status=status.value)
