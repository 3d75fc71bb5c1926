"""How a merged record reads to a person, for the console's pages and the PDFs alike: Chinese labels,
Beijing time, real names with work IDs, the form's sections and field labels. Built from the wire views
(casework/case_wire.py): plain data, no HTML, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field

from schemas.beijing import beijing_text
from schemas.device_audit_text import trail_lines
from schemas.forms import Field, FormRegistry, form_of
from schemas.forms.rules import answer_text as table_text
from schemas.media import AUDIO_TYPES, VIDEO_TYPES
from schemas.protocol import AccountPublic, MergedRecord, SealInfo
from schemas.records import Answer, EvidenceKind, Outcome, Role
from schemas.seal import record_digest

OUTCOME_LABELS = {Outcome.COMPLETED: "已完成", Outcome.REFUSED: "拒绝"}
ROLE_LABELS = {Role.SCENE: "现场", Role.CANNOT_SIGN_PROOF: "无法签名证明", Role.REFUSAL_PROOF: "拒绝情况证明",
               Role.RESPONDENT_SIGNATURE: "调查对象签名", Role.SURVEYOR_SIGNATURE: "调查人员签名",
               Role.INTERVIEW: "访谈录音"}


local_time = beijing_text  # the one way the console and the documents show a time (schemas/beijing.py)


def answer_text(value: Answer | None, field: Field | None = None) -> str:
    """An answer as a reviewer reads it (a table: one row a line, with its column labels)."""
    if field is not None and field.type == "table":
        return table_text(field, value)
    if value is None:
        return "（未填写）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):  # the options ticked in a several-choice question
        return "、".join(str(v) for v in value)
    return str(value)


def person_label(username: str, people: dict[str, AccountPublic]) -> str:
    """Real name and work ID of a surveyor (R4, R8)."""
    person = people.get(username)
    if person is None:
        return username
    return f"{person.name}（工作证号 {person.work_id}）" if person.work_id else person.name


@dataclass
class Item:
    label: str
    value: str = ""
    ok: bool | None = None  # None: not a yes/no line


@dataclass
class SectionView:
    title: str
    answers: list[Item]


@dataclass
class FileView:
    sha256: str
    label: str
    media_type: str
    kind: str
    ok: bool | None = None  # surveyor signatures: whether that surveyor's seal verifies
    player: str = ""  # "audio" / "video": played inline (a type the console plays; the route serves the sniffed type)


@dataclass
class RecordView:
    id: str
    title: str
    outcome: str
    refused: bool
    surveyors: list[str]
    times: list[Item]
    notification: list[Item]
    respondent: str
    sections: list[SectionView]
    refusal_note: str
    cannot_sign_reason: str
    photos: list[FileView] = field(default_factory=list)
    signatures: list[FileView] = field(default_factory=list)
    other_files: list[FileView] = field(default_factory=list)
    seals: list[Item] = field(default_factory=list)
    digest: str = ""
    seals_checked: str = ""  # when the seals' stored verdict was reached (at ingest or on request), Beijing time
    audit: list[Item] = field(default_factory=list)  # the device audit trail, oldest first
    targets: dict[str, str] = field(default_factory=dict)  # what a finding's target names: file or fix (issue 16)


def player_of(kind: EvidenceKind, media_type: str) -> str:
    """Which inline player a file gets: audio or video of an allowed type, else none (a download link)."""
    if kind == EvidenceKind.AUDIO and media_type in AUDIO_TYPES:
        return "audio"
    if kind == EvidenceKind.VIDEO and media_type in VIDEO_TYPES:
        return "video"
    return ""


def record_view(merged: MergedRecord, people: dict[str, AccountPublic],
                forms: FormRegistry | None = None) -> RecordView:
    """One merged record laid out with its form's section titles and field labels; `forms`: a registry
    holding the office's own versions when the record was sealed on one (forms/published.registry_for)."""
    record = merged.sealed.record
    form = form_of(record, forms)
    sections = [SectionView(s.title, [Item(f.label, answer_text(record.answers.get(f.id), f)) for f in s.fields])
                for s in form.sections]
    relation = record.respondent.relation
    respondent = record.respondent.name + (f"（{relation}）" if relation else "")
    seal_ok = {s.surveyor: s.valid for s in merged.seals}
    view = RecordView(
        id=record.id, title=form.title, outcome=OUTCOME_LABELS[record.outcome],
        refused=record.outcome == Outcome.REFUSED,
        surveyors=[person_label(u, people) for u in record.surveyors],
        times=[Item("开始时间", local_time(record.started_at)),
               Item("签章时间", local_time(record.sealed_at)),
               Item("上传时间", local_time(merged.received_at))],
        notification=[Item(n.label, ok=bool(record.notification.get(n.id))) for n in form.notification],
        respondent=respondent, sections=[] if record.outcome == Outcome.REFUSED else sections,
        refusal_note=record.refusal_note, cannot_sign_reason=record.cannot_sign_reason,
        seals=[Item(person_label(s.surveyor, people), revocation_note(s, merged), ok=s.valid)
               for s in merged.seals],
        digest=merged.digest or record_digest(record).hex(), seals_checked=local_time(merged.seals_checked_at),
        audit=[Item(f"{line.at} · {line.who}", line.what)
               for line in trail_lines(record, lambda u: people[u].name if u in people else u, forms)])
    view.targets = {"start_fix": "开始调查时定位", "seal_fix": "签章时定位", "location": "调查定位"}
    for ref in record.evidence:
        if ref.role == Role.RESPONDENT_SIGNATURE:
            label = f"{form.respondent_label}签名：{record.respondent.name or '（未填姓名）'}"
            view.signatures.append(FileView(ref.sha256, label, ref.media_type, ref.kind.value))
        elif ref.role == Role.SURVEYOR_SIGNATURE:
            label = f"调查人员签名：{person_label(ref.captured_by, people)}"
            view.signatures.append(FileView(ref.sha256, label, ref.media_type, ref.kind.value,
                                            ok=seal_ok.get(ref.captured_by, False)))
        else:
            label = ref.caption or ROLE_LABELS.get(ref.role, ref.role.value)
            target = view.photos if ref.kind == EvidenceKind.PHOTO else view.other_files
            target.append(FileView(ref.sha256, f"{label} · {local_time(ref.captured_at)}", ref.media_type,
                                   ref.kind.value, player=player_of(ref.kind, ref.media_type)))
    for files in (view.photos, view.signatures, view.other_files):
        view.targets |= {f.sha256: f.label for f in files}
    return view


def revocation_note(seal: SealInfo, merged: MergedRecord) -> str:
    """For a seal whose key was revoked after this record arrived: when, and that it arrived before (R16)."""
    if seal.key_revoked_at is None:
        return ""
    return (f"密钥已于 {local_time(seal.key_revoked_at)}（北京时间）吊销；本记录在吊销前收到"
            f"（{local_time(merged.received_at)}）")
