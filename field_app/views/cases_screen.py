"""核查案件: the team's cases sorted by deadline, what blocks them (R1), and their visits."""
from __future__ import annotations

import asyncio

import flet as ft

from field_app.viewmodels.cases import DRAFT, VisitSummary, checklist_lines, offered_kinds, returned_lines
from field_app.views.context import SessionContext
from field_app.views.location import take_fix
from field_app.views.widgets import DANGER, OK, big_button, heading, note, tagged
from schemas.completeness import CHECK_LABELS
from schemas.evidence_checks import beijing_text
from schemas.masking import masked_id_number
from schemas.protocol import CaseSummary
from schemas.records import VisitKind

STATES = {DRAFT: ("草稿", ft.Colors.ORANGE_800), "queued": ("已封存，待上传", ft.Colors.BLUE_800),
          "synced": ("已上传", OK), "problem": ("上传被退回", DANGER)}


def cases_screen(ctx: SessionContext) -> ft.Control:
    """The case list with a download button."""
    cases = ctx.model.cases
    cases.reload()

    def download(e: ft.Event) -> None:
        cases.refresh()
        ctx.render()

    head = ft.Row([heading("核查案件", 26), ft.Container(expand=True),
                   big_button("下载 / 更新案件", download, "download-cases", icon=ft.Icons.SYNC)])
    notice = [note(cases.notice, DANGER)] if cases.notice else []
    cards = [_case_card(ctx, c) for c in cases.cases]
    if not cards:
        cards = [note("本机还没有案件。请联网后点“下载 / 更新案件”。", size=18)]
    return ft.Column([head, *notice, ft.Column(cards, scroll=ft.ScrollMode.AUTO, expand=True, spacing=16)],
                     expand=True)


def _case_card(ctx: SessionContext, case: CaseSummary) -> ft.Control:
    blockers = ctx.model.cases.blockers(case)
    subjects = "；".join(f"{s.name}（{s.relation}，{masked_id_number(s.id_number)}）" for s in case.subjects)
    lines: list[ft.Control] = [
        ft.Text(case.title, size=22, weight=ft.FontWeight.BOLD),
        note(f"委托单位：{case.entrusting_unit}    地址：{case.address}"),
        note(f"核查对象：{subjects}"),
        note(f"受理日期：{case.accepted_on:%Y-%m-%d}    办结期限：{case.deadline:%Y-%m-%d}（10 个工作日）",
             size=17),
    ]
    if case.deadline_warning:
        lines.append(note("注意：" + case.deadline_warning, ft.Colors.ORANGE_800))
    lines += [ft.Row([ft.Icon(ft.Icons.BLOCK, color=DANGER), note(b, DANGER)]) for b in blockers]
    starts = [big_button(f"开始{CHECK_LABELS[k]}", _starter(ctx, case, k),
                         f"start-{k.value}-{case.id}", icon=ft.Icons.PLAY_ARROW, disabled=bool(blockers))
              for k in offered_kinds(case)]
    lines.append(ft.Row(starts, spacing=12))
    lines += [note(("✓ " if ok else "✗ ") + text, None if ok else ft.Colors.ORANGE_800, size=15)
              for ok, text in checklist_lines(case)]
    lines += [tagged(f"returned-{case.id}-{i}", ft.Row([ft.Icon(ft.Icons.UNDO, color=DANGER), note(text, DANGER)],
                                                      wrap=True))
              for i, text in enumerate(returned_lines(case))]
    lines += [_visit_row(ctx, v) for v in ctx.model.cases.visits(case.id)]
    return tagged(f"case-{case.id}", ft.Card(content=ft.Container(ft.Column(lines, spacing=8),
                                                                  padding=ft.Padding.all(20))))


def _starter(ctx: SessionContext, case: CaseSummary, kind: VisitKind):
    """An async tap handler (Flet awaits only real coroutine functions, not lambdas returning one)."""

    async def handler(e: ft.Event) -> None:
        await _start(ctx, case, kind)

    return handler


async def _start(ctx: SessionContext, case: CaseSummary, kind: VisitKind) -> None:
    # The session's lock is never taken on the event loop's thread: a handler thread holding it may be
    # waiting for the loop to send its page update (a deadlock seen as a frozen screen).
    if await asyncio.to_thread(ctx.act, lambda: ctx.model.visit.start(case, kind)):
        await asyncio.to_thread(ctx.go, "visit")
        await take_fix(ctx, "start")  # where the visit began, kept with its distance to the household
        await asyncio.to_thread(ctx.render)


def _resume(ctx: SessionContext, record_id: str) -> None:
    if ctx.act(lambda: ctx.model.visit.resume(record_id)):
        ctx.go("visit")


def _visit_row(ctx: SessionContext, visit: VisitSummary) -> ft.Control:
    label, color = STATES.get(visit.state, (visit.state, None))
    who = visit.respondent or "（未填调查对象）"
    row: list[ft.Control] = [ft.Icon(ft.Icons.DESCRIPTION, color=color),
                             note(f"{CHECK_LABELS[visit.kind]} · {who} · {beijing_text(visit.updated_at)}"),
                             ft.Text(label, color=color, size=16, weight=ft.FontWeight.BOLD)]
    if visit.message:
        row.append(note(visit.message, DANGER))
    if visit.state == DRAFT:
        row.append(big_button("继续填写", lambda e: _resume(ctx, visit.record_id), f"resume-{visit.record_id}",
                              primary=False))
    return ft.Row(row, spacing=12, wrap=True)
