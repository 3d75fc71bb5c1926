"""The content of each visit step. Every change is saved to the draft at once."""
from __future__ import annotations

from collections.abc import Callable

import flet as ft

from field_app.viewmodels.steps import step_of
from field_app.views.context import SessionContext
from field_app.views.evidence_grid import photo_block
from field_app.views.form_fields import field_control
from field_app.views.location import fix_line
from field_app.views.recorder import audio_block, video_block
from field_app.views.seal_dialog import open_seal_dialog
from field_app.views.signature_pad import TimedStrokes, signature_pad
from field_app.views.widgets import DANGER, big_button, missing_list, note, tagged
from schemas.protocol import Subject
from schemas.readback import COUNTED
from schemas.records import Outcome, Role


def notify_page(ctx: SessionContext) -> ft.Control:
    """R8 / R15: show work IDs, explain, get consent; or record that the family refused (R13)."""
    editor, team = ctx.model.visit, ctx.model.team
    record, form = ctx.open_visit()
    ids = "；".join(f"{team.display_name(u)} 工作证 {_work_id(ctx, u)}" for u in record.surveyors)
    checks = [tagged(f"notify-{n.id}", ft.Checkbox(
        label=n.label, value=record.notification.get(n.id, False), label_style=ft.TextStyle(size=18),
        on_change=ctx.guard(lambda e, i=n.id: editor.set_notification(i, bool(e.control.value)))))
        for n in form.notification]
    refused = record.outcome == Outcome.REFUSED

    def toggle_refusal(e: ft.Event) -> None:
        editor.set_outcome(Outcome.REFUSED if e.control.value else Outcome.COMPLETED)
        ctx.render()

    refusal = tagged("refusal-switch", ft.Switch(label=f"调查对象拒绝（{form.refusal_label}）", value=refused,
                                                 label_text_style=ft.TextStyle(size=18),
                                                 on_change=ctx.guard(toggle_refusal)))
    return ft.Column([note(f"请向{form.respondent_label}出示工作证明：{ids}", size=18), *checks, ft.Divider(),
                      refusal, fix_line("开始位置", record.start_fix, "start-fix")], spacing=12)


def _work_id(ctx: SessionContext, username: str) -> str:
    member = ctx.model.team.member(username)
    return member.work_id if member else "—"


def respondent_page(ctx: SessionContext) -> ft.Control:
    """Who the team talks to: one of the case's subjects (R2) or another person (a neighbour)."""
    editor = ctx.model.visit
    person = ctx.open_visit()[0].respondent
    other = person.subject_id is None  # a chosen subject's name is not copied into the "other person" fields
    name = ft.TextField(label="姓名", value=person.name if other else "", text_size=18, width=320)
    relation = ft.TextField(label="与核查对象家庭的关系", value=person.relation if other else "", text_size=18,
                            width=320)

    def save(e: ft.Event) -> None:
        editor.set_respondent(name.value or "", relation.value or "", None)

    name.on_change = relation.on_change = ctx.guard(save)

    def choose(subject: Subject) -> None:
        editor.set_respondent(subject.name, subject.relation, subject.id)
        ctx.render()

    subjects = editor.case.subjects if editor.case else []
    chips = [big_button(f"{s.name}（{s.relation}）", lambda e, s=s: choose(s), f"respondent-{s.id}",
                        primary=person.subject_id == s.id) for s in subjects]
    return ft.Column([note("选择核查对象中的受访人：", size=18), ft.Row(chips, wrap=True, spacing=12),
                      note("或填写其他受访人（如邻居、知情人）：", size=18), ft.Row([name, relation], spacing=16)],
                     spacing=14)


def section_page(ctx: SessionContext) -> ft.Control:
    """The questions of one form section (R9, R14) that its relevance rules ask now (form v2)."""
    editor = ctx.model.visit
    section_id = ctx.view_state["step"].removeprefix("section-")
    fields = editor.relevant(section_id)
    if not fields:
        return note("本部分根据已填写的内容无需填写", size=18)
    return ft.Column([field_control(editor, f, ctx.render) for f in fields], spacing=18,
                     horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


def photos_page(ctx: SessionContext) -> ft.Control:
    """R10: photos of the living environment, documents and daily life."""
    rule = next((r for r in ctx.open_visit()[1].evidence if r.role == Role.SCENE), None)
    photos = photo_block(ctx, Role.SCENE, "add-scene-photo", "现场照片（可选）", required=False) if rule is None \
        else photo_block(ctx, Role.SCENE, "add-scene-photo", rule.label)
    return ft.Column([photos, audio_block(ctx), video_block(ctx, Role.SCENE, "add-scene-video", "现场视频")],
                     spacing=24)


def refusal_page(ctx: SessionContext) -> ft.Control:
    """R13: what happened at the door, and (optionally) a photo of it."""
    editor = ctx.model.visit
    record, form = ctx.open_visit()
    box = ft.TextField(label=form.refusal_label, value=record.refusal_note, multiline=True,
                       min_lines=4, text_size=18)
    box.on_change = ctx.guard(lambda e: editor.set_refusal_note(box.value or ""))
    return ft.Column([box,
                      photo_block(ctx, Role.REFUSAL_PROOF, "add-refusal-photo", "现场照片（可选）", required=False),
                      video_block(ctx, Role.REFUSAL_PROOF, "add-refusal-video", "现场视频（可选）"),
                      audio_block(ctx)],
                     spacing=16)


def respondent_sign_page(ctx: SessionContext) -> ft.Control:
    """R11 / R12: the respondent signs, or the reason they cannot is written and proven by photo."""
    editor = ctx.model.visit
    record, form = ctx.open_visit()
    signed = editor.evidence_of(Role.RESPONDENT_SIGNATURE)
    name = record.respondent.name or form.respondent_label
    pad = signature_pad("respondent-pad", f"{name} 签名",
                        lambda strokes, w, h: _sign(ctx, Role.RESPONDENT_SIGNATURE, strokes, None, w, h),
                        editor.evidence.read(signed[0].sha256) if signed else None,
                        strokes=ctx.pad("respondent-pad"), available_width=ctx.content_width())
    reason = ft.TextField(label="无法签名的原因（无法签名时填写）", value=record.cannot_sign_reason,
                          text_size=18, multiline=True, min_lines=3, max_lines=8)
    reason.on_change = ctx.guard(lambda e: editor.set_cannot_sign_reason(reason.value or ""))
    cannot = ft.ExpansionTile(title=ft.Text("调查对象因特殊原因无法签名", size=18), controls=[
        reason, photo_block(ctx, Role.CANNOT_SIGN_PROOF, "add-cannot-sign-photo", "证明照片（必需）"),
        video_block(ctx, Role.CANNOT_SIGN_PROOF, "add-cannot-sign-video", "或证明视频")],
        expanded=bool(record.cannot_sign_reason))
    return ft.Column([pad, cannot], spacing=16)


def readback_page(ctx: SessionContext) -> ft.Control:
    """R29: what was recorded, in large type, read back to the respondent before they sign (the signature
    keeps the digest of exactly these lines)."""
    lines = ctx.model.visit.readback()
    counts = "　".join(f"{label} {value}" for label, value in lines[-len(COUNTED):])  # evidence counts first
    rows = [ft.Row([ft.Text(label, size=20, weight=ft.FontWeight.BOLD, width=260),
                    ft.Text(value, size=22, expand=True, selectable=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START)
            for label, value in lines[:-len(COUNTED)]]
    return tagged("readback", ft.Container(ft.Column([
        ft.Text("请核对以下记录内容，确认无误后签名", size=24, weight=ft.FontWeight.BOLD),
        tagged("readback-counts", ft.Text(f"留证：{counts}", size=22)), ft.Divider(), *rows], spacing=10),
        border=ft.Border.all(2, ft.Colors.BLUE_200), border_radius=8, padding=ft.Padding.all(16)))


def team_sign_page(ctx: SessionContext) -> ft.Control:
    """R11 / R16: every surveyor of the team signs on the pad."""
    editor, team = ctx.model.visit, ctx.model.team
    record = ctx.open_visit()[0]
    pads: list[ft.Control] = []
    for username in record.surveyors:
        signed = record.evidence_with(Role.SURVEYOR_SIGNATURE, username)
        pads.append(signature_pad(
            f"surveyor-pad-{username}", f"调查人员 {team.display_name(username)} 签名",
            _surveyor_signs(ctx, username), editor.evidence.read(signed[0].sha256) if signed else None,
            strokes=ctx.pad(f"surveyor-pad-{username}"), available_width=ctx.content_width()))
    return ft.Column(pads, spacing=20)


def _surveyor_signs(ctx: SessionContext, username: str) -> Callable[[TimedStrokes, int, int], bool]:
    def done(strokes: TimedStrokes, width: int, height: int) -> bool:
        return _sign(ctx, Role.SURVEYOR_SIGNATURE, strokes, username, width, height)

    return done


def _sign(ctx: SessionContext, role: Role, strokes: TimedStrokes, surveyor: str | None, width: int,
          height: int) -> bool:
    ok = ctx.act(lambda: ctx.model.visit.sign(role, strokes, surveyor, width, height), "签名已保存")
    if ok:  # the pad's strokes are in the record now: the pad is drawn again as signed (重新签名)
        ctx.pad(f"surveyor-pad-{surveyor}" if surveyor else "respondent-pad").clear()
        ctx.render()
    return ok


def seal_page(ctx: SessionContext) -> ft.Control:
    """What is still missing; sealing asks every surveyor's PIN (their own key signs the record)."""
    editor = ctx.model.visit
    record, form = ctx.open_visit()
    missing = editor.missing()
    explain = note("封存后记录不可修改。每名调查人员输入自己的 PIN 码，用本人密钥对记录签名。", size=16)
    discard = big_button("删除草稿", lambda e: _discard(ctx), "discard-draft", primary=False,
                         icon=ft.Icons.DELETE)

    async def open_seal(e: ft.Event) -> None:
        await open_seal_dialog(ctx)

    seal = big_button("封存记录", open_seal, "seal-button", icon=ft.Icons.LOCK, disabled=bool(missing))
    team = ctx.model.team
    labels = [_named(m.label, record.surveyors, team.display_name) for m in missing]

    def jump(i: int) -> None:
        ctx.view_state["step"] = step_of(form, missing[i])
        ctx.render()

    return ft.Column([tagged("missing-list", missing_list(labels, jump)), explain,
                      fix_line("开始位置", record.start_fix, "start-fix"),
                      ft.Row([seal, discard], spacing=16)], spacing=16)


def _named(label: str, usernames: list[str], name_of: Callable[[str], str]) -> str:
    """A missing item as the team reads it: surveyors by name (张伟), not by account (zhangwei)."""
    for username in usernames:
        label = label.replace(f" {username} ", f" {name_of(username)} ")
    return label


def _discard(ctx: SessionContext) -> None:
    dialog = ft.AlertDialog(title=ft.Text("删除这份草稿？"),
                            content=note("草稿内容及其照片、签名文件将从本机删除，不可恢复。", DANGER),
                            actions=[ft.TextButton("取消", on_click=ctx.guard(lambda e: ctx.page.pop_dialog())),
                                     ft.TextButton("删除", on_click=ctx.guard(lambda e: _do_discard(ctx)))])
    ctx.page.show_dialog(dialog)


def _do_discard(ctx: SessionContext) -> None:
    ctx.page.pop_dialog()
    ctx.model.visit.discard()
    ctx.go("cases")


PAGES = {"notify": notify_page, "respondent": respondent_page, "section": section_page, "photos": photos_page,
         "refusal": refusal_page, "readback": readback_page, "respondent_sign": respondent_sign_page,
         "team_sign": team_sign_page,
         "seal": seal_page}
