"""The survey record (调查记录表) of one sealed record as a PDF, in Chinese (R20)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fpdf.enums import WrapMode

from schemas.device_audit_text import trail_lines
from schemas.findings import FindingView
from schemas.forms import FormRegistry
from schemas.protocol import AccountPublic, MergedRecord
from schemas.records import EvidenceKind, Location
from sync_server.casework.presentation import ROLE_LABELS, local_time, person_label, record_view
from sync_server.documents.pdf_document import Document

KIND_LABELS = {EvidenceKind.PHOTO: "照片", EvidenceKind.AUDIO: "录音", EvidenceKind.VIDEO: "视频",
               EvidenceKind.SIGNATURE: "签名", EvidenceKind.DOCUMENT: "文件"}
LOG_KINDS = {"record.ingested": "记录上传并通过核验", "dossier.exported": "档案包导出",
             "dossier.export_failed": "档案包导出失败", "evidence.downloaded": "留证文件下载",
             "report.issued": "出具核查报告", "record.seals_verified": "重新核验签章",
             "report.downloaded": "核查报告下载", "finding.acknowledged": "证据提示经审核确认"}


@dataclass(frozen=True)
class CaseFacts:
    """What the record's PDF shows of its case and team."""

    case_id: str
    title: str
    entrusting_unit: str
    address: str
    team_name: str


@dataclass(frozen=True)
class LogLine:
    position: int
    at: str
    kind: str
    actor: str


def place_text(address: str, location: Location | None) -> str:
    """The case address with the position fix, or a plain flag that there was none."""
    if location is None:
        return f"{address}（无定位信息）"
    accuracy = f"，精度约 {location.accuracy_m:.0f} 米" if location.accuracy_m is not None else "，精度未知"
    return f"{address}（定位：北纬 {location.lat:.5f}，东经 {location.lon:.5f}{accuracy}）"


def render_record(merged: MergedRecord, case: CaseFacts, people: dict[str, AccountPublic],
                  image_of: Callable[[str, int], bytes | None], log: list[LogLine],
                  findings: Sequence[FindingView] = (), standing: str = "", forms: FormRegistry | None = None) -> bytes:
    """The PDF of one merged record; `image_of(sha256, side)` gives a JPEG/PNG thumbnail or None;
    `findings` what the server found in its evidence, with each reviewer's acknowledgement (issue 16);
    `standing`: why a returned (or superseded) record is not counted (R42), shown instead of its outcome."""
    record, view = merged.sealed.record, record_view(merged, people, forms)
    if standing:
        view.outcome = f"{standing}（调查结果：{view.outcome}；不计入核查报告）"
    doc = Document(f"{view.title} {record.id}", footer_note=f"记录 {record.id} · 摘要 {merged.digest[:16]}")
    doc.heading(f"{view.title}（调查记录表）", size=16)
    doc.grid(None, [
        ["案件编号", case.case_id], ["案件名称", case.title], ["委托单位", case.entrusting_unit],
        ["调查类型", view.title], ["调查结果", view.outcome], ["记录编号", record.id],
        *[[t.label, t.value] for t in view.times if t.value],
        ["调查地点", place_text(case.address, record.location)],
        ["调查小组", case.team_name], ["调查人员", "、".join(view.surveyors)],
        ["调查对象", view.respondent or "（未填写）"], ["设备", record.device_id or "（未记录）"]], widths=(28, 146))
    doc.heading("告知事项")
    doc.grid(["事项", "情况"], [[n.label, "已告知" if n.ok else "未告知"] for n in view.notification], widths=(130, 44))
    for section in view.sections:
        doc.heading(section.title)
        doc.grid(["项目", "内容"], [[a.label, a.value] for a in section.answers], widths=(58, 116))
    if view.refusal_note:
        doc.heading("拒绝情况记录")
        doc.paragraph(view.refusal_note)
    if view.cannot_sign_reason:
        doc.heading("无法签名原因")
        doc.paragraph(view.cannot_sign_reason)
    _evidence(doc, merged, people, image_of)
    _findings(doc, merged, findings, people)
    doc.heading("签章核验")
    doc.grid(["调查人员", "密钥编号", "核验结果"],
             [[person_label(s.surveyor, people), s.key_id, "通过" if s.valid else "未通过"] for s in merged.seals],
             widths=(80, 50, 44))
    doc.paragraph(f"签章版本：第 {merged.sealed.seal_version} 版；签章内容 SHA-256：{merged.digest}", size=8.5)
    doc.heading("平板操作记录（北京时间）")  # the device audit trail the seals cover: who did what, when
    doc.grid(["时间", "操作人", "操作"], [[t.at, t.who, t.what] for t in trail_lines(
        record, lambda u: people[u].name if u in people else u, forms)] or [["—", "—", "（无操作记录）"]],
        widths=(28, 30, 116), size=8)
    doc.heading("审计记录摘要")
    doc.grid(["日志序号", "时间", "事件", "操作人"],
             [[str(e.position), e.at, LOG_KINDS.get(e.kind, e.kind), person_label(e.actor, people)] for e in log]
             or [["—", "—", "（无日志记录）", "—"]], widths=(22, 38, 60, 54))
    return doc.bytes()


def _evidence(doc: Document, merged: MergedRecord, people: dict[str, AccountPublic],
              image_of: Callable[[str, int], bytes | None]) -> None:
    refs = merged.sealed.record.evidence
    doc.heading(f"留证文件（{len(refs)} 个）")
    doc.grid(["序号", "类型", "用途", "拍摄时间", "拍摄人", "SHA-256"],
             [[str(i), KIND_LABELS.get(e.kind, e.kind.value), e.caption or ROLE_LABELS.get(e.role, e.role.value),
               local_time(e.captured_at), person_label(e.captured_by, people).split("（")[0],
               f"{e.sha256[:32]} {e.sha256[32:]}"] for i, e in enumerate(refs, 1)],
             widths=(11, 13, 30, 28, 20, 72), size=8, wrap=WrapMode.WORD)
    photos = [(i, e) for i, e in enumerate(refs, 1) if e.kind == EvidenceKind.PHOTO]
    thumbs = [(data, f"{i}. {e.caption or ROLE_LABELS.get(e.role, '')}") for i, e in photos
              if (data := image_of(e.sha256, 320)) is not None]
    if thumbs:  # display copies: large enough for their watermark band to be read on paper
        doc.heading("照片缩略图（展示副本，带水印；原件未改动，见留证文件）", size=11, keep=66)
        doc.image_row(thumbs, height=56)
    signatures = [(i, e) for i, e in enumerate(refs, 1) if e.kind == EvidenceKind.SIGNATURE]
    images = [(data, f"{i}. {ROLE_LABELS.get(e.role, '')} {person_label(e.captured_by, people).split('（')[0]}")
              for i, e in signatures if (data := image_of(e.sha256, 480)) is not None]
    if images:
        doc.heading("签名", size=11, keep=32)
        doc.image_row(images, height=22)


def _findings(doc: Document, merged: MergedRecord, findings: Sequence[FindingView],
              people: dict[str, AccountPublic]) -> None:
    """What the agency itself found in the evidence, and who acknowledged it with what reason (R42)."""
    numbers = {e.sha256: str(i) for i, e in enumerate(merged.sealed.record.evidence, 1)}
    places = {"start_fix": "开始调查时定位", "seal_fix": "签章时定位", "location": "调查定位", "": "本记录"}
    doc.heading(f"证据提示（服务器核验，{len(findings)} 项）")
    if not findings:
        doc.paragraph("服务器核验未发现需要提示的情况。")
        return
    doc.grid(["涉及", "提示", "审核确认"],
             [[f"留证 {numbers[f.target]}" if f.target in numbers else places.get(f.target, f.target[:12]),
               f"{f.label}（{f.detail}）" if f.detail else f.label,
               f"已确认：{f.ack_reason}（{f.ack_by}，{local_time(f.ack_at)}）" if f.acknowledged else "未确认"]
              for f in findings], widths=(24, 80, 70), size=8.5, wrap=WrapMode.WORD)
