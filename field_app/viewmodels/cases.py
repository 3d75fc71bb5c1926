"""The team's cases: downloaded when online, kept for offline work, sorted by deadline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from field_app.store import OutboxStatus, Store
from field_app.store import queries as q
from field_app.store.office_forms import save_forms
from field_app.sync.client import ServerProblem, ServerUnreachable, SyncClient
from field_app.viewmodels.base import Clock, Observable, utcnow
from field_app.viewmodels.team import TeamSession
from schemas.beijing import as_beijing
from schemas.completeness import CHECK_LABELS
from schemas.problems import chinese_message
from schemas.protocol import CaseSummary
from schemas.records import Outcome, SurveyRecord, VisitKind

NO_AUTHORIZATION = "缺少家庭授权书，不能开展调查（先授权、后核对）"
NO_ENTRUSTMENT = "缺少委托单位的委托书，不能开展调查（无委托、不核对）"
NOT_RELEASED = "委托材料尚未通过核查机构的符合性审核，不能开展调查"
DRAFT = "draft"


def case_blockers(case: CaseSummary) -> list[str]:
    """Why field work on this case may not start (R1), in Chinese; empty when it may."""
    out = []
    if not case.authorization_recorded:
        out.append(NO_AUTHORIZATION)
    if not case.entrustment_recorded:
        out.append(NO_ENTRUSTMENT)
    if not out and not case.released:
        out.append(NOT_RELEASED)  # R26: only a case that passed the review is released
    return out


def offered_kinds(case: CaseSummary) -> list[VisitKind]:
    """The visits the tablet offers on this case: only the entrusted ones (R23, §4.1 b)."""
    return [k for k in VisitKind if k in case.required_checks]


def returned_lines(case: CaseSummary) -> list[str]:
    """What the reviewer returned to the team and is still open, in Chinese (shown after the next sync)."""
    return [f"审核退回（{as_beijing(r.returned_at):%m-%d %H:%M}，{r.by_name}）：{r.label} — {r.reason}"
            + (f"；证据提示：{'、'.join(r.findings)}" if r.findings else "")
            + (f"；请补充一份新的{CHECK_LABELS[r.kind]}记录" if r.kind else "") for r in case.returns]


def checklist_lines(case: CaseSummary) -> list[tuple[bool, str]]:
    """The case's checklist as the server computed it at the last download (same rules as the console)."""
    if case.checklist is None:
        return []
    lines = [(i.ok, f"{i.label}：{i.detail}" if i.detail else i.label) for i in case.checklist.items]
    return [(case.checklist.complete, f"核查清单：{case.checklist.status_label}"), *lines]


def _who(record: SurveyRecord) -> str:
    """Whom the record is about, as the case screen lists it."""
    if record.outcome == Outcome.REFUSED:
        return "拒绝入户" if record.kind == VisitKind.HOME_VISIT else "拒绝受访"
    return record.respondent.name


@dataclass(frozen=True)
class VisitSummary:
    """One record of a case as the case screen lists it."""

    record_id: str
    kind: VisitKind
    state: str  # "draft", or an OutboxStatus value: "queued", "synced", "problem"
    respondent: str
    updated_at: datetime
    message: str = ""  # the server's problem, in Chinese


class CaseList(Observable):
    """The cases of the signed-in team."""

    def __init__(self, store: Store, client: SyncClient, team: TeamSession, clock: Clock = utcnow) -> None:
        self.store, self.client, self.team, self.clock = store, client, team, clock
        self.cases: list[CaseSummary] = []
        self.offline = False
        self.notice = ""
        self.downloaded_at: datetime | None = None

    def reload(self) -> None:
        """Read the team's cases from the tablet's cache."""
        team_id = self.team.team_id
        with self.store.reading() as s:
            cached = q.cached_cases(s, team_id) if team_id else []
            self.downloaded_at = q.last_download(s, team_id) if team_id else None
        self.cases = sorted(cached, key=lambda c: (c.deadline, c.accepted_on, c.id))
        self._notify()

    def refresh(self) -> None:
        """Download the team's cases; offline (or refused), keep the cached ones and say so."""
        team_id, token = self.team.team_id, self.team.token()
        if team_id is None:
            self.offline, self.notice = False, "请先登录"
        elif token is None:
            self.offline, self.notice = True, "登录已过期或为离线登录，显示的是本机保存的案件；联网后请重新登录以更新"
        else:
            try:
                cases = self.client.list_cases(token)
            except ServerUnreachable:
                self.offline, self.notice = True, self._offline_notice()
            except ServerProblem as problem:
                self.offline, self.notice = False, "案件更新失败：" + chinese_message(problem.code, problem.detail)
            else:
                with self.store.transaction() as s:
                    q.save_cases(s, team_id, cases, self.clock())
                self.offline, self.notice = False, self._download_forms(token)
        self.reload()

    def _download_forms(self, token: str) -> str:
        """The office's new form versions, kept for new visits; what went wrong, in Chinese (or "")."""
        try:
            offered = self.client.list_forms(token)
        except (ServerUnreachable, ServerProblem):
            return "表单更新失败，新开始的调查暂用本机已有的表单版本"
        with self.store.transaction() as s:
            refused = save_forms(s, offered, self.clock())
        return f"表单 {'、'.join(refused)} 校验未通过，未采用" if refused else ""

    def _offline_notice(self) -> str:
        with self.store.reading() as s:
            last = q.last_download(s, self.team.team_id) if self.team.team_id else None
        when = f"（{as_beijing(last):%m月%d日 %H:%M} 下载）" if last else ""
        return f"当前离线，显示的是本机保存的案件{when}"

    def get(self, case_id: str) -> CaseSummary | None:
        """A cached case by id."""
        with self.store.reading() as s:
            return q.cached_case(s, case_id)

    def blockers(self, case: CaseSummary) -> list[str]:
        """Chinese reasons this case cannot be surveyed now (R1)."""
        return case_blockers(case)

    def visits(self, case_id: str) -> list[VisitSummary]:
        """Drafts and sealed records of a case on this tablet, newest first."""
        out: list[VisitSummary] = []
        with self.store.reading() as s:
            for record in q.drafts(s, case_id):
                row_time = record.started_at
                out.append(VisitSummary(record.id, record.kind, DRAFT, _who(record), row_time))
            for item in q.outbox_items(s, case_id=case_id):
                record = q.sealed_record(item).record
                message = chinese_message(item.problem_code, item.problem_detail) \
                    if item.status == OutboxStatus.PROBLEM.value else ""
                out.append(VisitSummary(record.id, record.kind, item.status, _who(record),
                                        item.sealed_at, message))
        return sorted(out, key=lambda v: v.updated_at, reverse=True)
