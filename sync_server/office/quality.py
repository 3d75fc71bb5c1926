"""Quality assessment of staff (§4.3.5, R37): a manager (机构负责人) records, for one person and one period,
a grade and remarks beside the process and timeliness figures the dashboard shows for them. The figures
are kept with the assessment as they were, and every assessment is in the audit log. Nothing commits."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from schemas.staffing import Post
from sync_server.accounts.posts import require_post
from sync_server.office.dashboard import PersonTally
from sync_server.office.dashboard_tables import person_cells
from sync_server.tables import Account, QualityAssessment
from sync_server.transparency.audit_rows import log_row

GRADES = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职", "not_competent": "不称职"}
REMARKS_MAX = 2000
FIGURE_NAMES = ["姓名", "账号", "签章记录", "拒绝入户", "被退回记录", "退回率（%）", "受理案件", "办结案件",
                "按期办结", "逾期", "按期率（%）", "平均办理工作日"]


def assess(session: Session, actor: Account, username: str, period_from: date, period_to: date, grade: str,
           remarks: str, person: PersonTally | None, now: datetime) -> QualityAssessment:
    """Record the period's assessment of one serving staff member (403 without the 机构负责人 post)."""
    require_post(actor, Post.DIRECTOR)
    account = session.get(Account, username)
    if account is None or not account.active:
        raise ProblemError(Code.NOT_FOUND, f"没有在岗人员“{username}”")
    if grade not in GRADES:
        raise ProblemError(Code.VALIDATION, "请选择考核等次（优秀、称职、基本称职、不称职）")
    if period_to < period_from:
        raise ProblemError(Code.VALIDATION, "考核期间的结束日期不能早于开始日期")
    remarks = remarks.strip()
    if not remarks or len(remarks) > REMARKS_MAX:
        raise ProblemError(Code.VALIDATION, f"请填写考核意见（不超过 {REMARKS_MAX} 字）")
    figures = dict(zip(FIGURE_NAMES, person_cells(username, person), strict=True)) if person else {}
    row = QualityAssessment(id=f"qa-{uuid.uuid4().hex[:16]}", username=username, period_from=period_from,
                            period_to=period_to, grade=grade, remarks=remarks,
                            figures_json=json.dumps(figures, ensure_ascii=False), assessed_by=actor.username,
                            assessed_at=now)
    session.add(row)
    log_row(session, "staff.assessed", row, actor=actor.username, at=now, subject=username)
    return row


def assessments(session: Session, period_from: date, period_to: date) -> list[QualityAssessment]:
    """The assessments of exactly this period, newest first."""
    query = select(QualityAssessment).where(col(QualityAssessment.period_from) == period_from,
                                            col(QualityAssessment.period_to) == period_to)
    return list(session.exec(query.order_by(col(QualityAssessment.assessed_at).desc())))
