"""Writing one survey record at the door, saved as a draft on every change, then sealed.

The record's surveyors are the members signed in when it starts (R7). Sealing needs nothing
missing (R8-R16, schemas.completeness) and every surveyor's PIN; the sealed record enters the
outbox and the draft leaves, in one transaction. A full disk refuses the one change with
`StorageFull` and leaves the draft (and the outbox) as they were.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from pydantic import ValidationError

from field_app.capture.photo import ingest_photo
from field_app.capture.signature import Stroke, render_signature
from field_app.errors import IncompleteRecord, StorageFull, VisitError, WrongPin
from field_app.store import EvidenceStore, Store
from field_app.store import queries as q
from field_app.store.office_forms import registry as held_registry
from field_app.viewmodels.base import Clock, Observable, serialized, utcnow
from field_app.viewmodels.capture import location_fix, photo_ref, require_notified, strokes_json, xy
from field_app.viewmodels.cases import case_blockers, offered_kinds
from field_app.viewmodels.findings import judged
from field_app.viewmodels.form_answers import FormAnswers
from field_app.viewmodels.sealing import seal_record
from field_app.viewmodels.team import TeamSession
from schemas.completeness import CHECK_LABELS, Missing, missing_items
from schemas.device_audit import with_trail
from schemas.evidence_checks import DUPLICATE_SIGNATURE, with_flag
from schemas.findings import Finding
from schemas.forms import Form, form_for, form_of
from schemas.media import MediaEvent
from schemas.protocol import CaseSummary
from schemas.readback import readback_digest, readback_lines
from schemas.records import (
    EvidenceKind,
    EvidenceRef,
    Location,
    Origin,
    Outcome,
    Respondent,
    Role,
    SealedRecord,
    SurveyRecord,
    VisitKind,
)

PHOTO_ROLES = (Role.SCENE, Role.CANNOT_SIGN_PROOF, Role.REFUSAL_PROOF)
SIGNATURE_ROLES = (Role.RESPONDENT_SIGNATURE, Role.SURVEYOR_SIGNATURE)
NO_RECORD = "没有正在编辑的调查记录"


@contextmanager
def _if_full(what: str) -> Iterator[None]:
    """Say what was not saved when the disk turns out to be full."""
    try:
        yield
    except StorageFull as full:
        raise StorageFull(what) from full


class VisitEditor(FormAnswers, Observable):
    """The open visit record: edits, answers (FormAnswers), evidence, signatures, completeness, seal."""

    def __init__(self, store: Store, evidence: EvidenceStore, team: TeamSession, clock: Clock = utcnow,
                 device_id: str = "") -> None:
        self.store, self.evidence, self.team, self.clock = store, evidence, team, clock
        self.device_id = device_id or team.device_id
        self.record: SurveyRecord | None = None
        self.case: CaseSummary | None = None
        self.form: Form | None = None
        self.errors: dict[str, str] = {}  # field id -> the last input error shown under that field
        self._lock = threading.RLock()

    # --- opening ---------------------------------------------------------------------------

    @serialized
    def start(self, case: CaseSummary, kind: VisitKind) -> SurveyRecord:
        """A new record for the case, saved as a draft at once; refused without R1 papers or a team (R7).
        A draft of the same case and method on this tablet is resumed instead: one visit, one record."""
        blockers = case_blockers(case)
        if blockers:
            raise VisitError("；".join(blockers))
        if kind not in offered_kinds(case):  # R23: only the entrusted methods
            raise VisitError(f"委托书未包含{CHECK_LABELS[kind]}，不得扩大核查范围")
        with self.store.reading() as s:
            draft = next((d.id for d in reversed(q.drafts(s, case.id)) if d.kind == kind), None)
        if draft:  # 开始 tapped twice, or the team back on the case
            return self.resume(draft)
        with self.store.reading() as s:
            form = form_for(kind, registry=held_registry(s))  # the newest version: shipped or the office's
        team = [m.username for m in self.team.members]
        if len(team) < form.min_surveyors:
            raise VisitError(f"调查小组至少需要 {form.min_surveyors} 名调查人员登录后才能开始调查")
        record = SurveyRecord(id=str(uuid.uuid4()), case_id=case.id, kind=kind, form_id=form.id,
                              form_version=form.version, surveyors=team, started_at=self.clock(),
                              device_id=self.device_id)
        self.case, self.form, self.errors = case, form, {}
        self._save(record)
        return record

    @serialized
    def resume(self, record_id: str) -> SurveyRecord:
        """Open a saved draft again (after switching screens or an app restart)."""
        with self.store.reading() as s:
            record = q.load_draft(s, record_id)
            case = q.cached_case(s, record.case_id) if record else None
        if record is None:
            raise VisitError("找不到该调查记录草稿（可能已封存）")
        self.record, self.case, self.errors = record, case, {}
        with self.store.reading() as s:
            self.form = form_of(record, held_registry(s))  # a draft keeps the form version it was started on
        self._notify()
        return record

    @serialized
    def discard(self) -> None:
        """Throw the open draft away and delete its evidence files (those no other record uses)."""
        record = self._require()
        with self.store.transaction() as s:
            q.delete_draft(s, record.id)
            still_used = q.evidence_in_use(s)
        for sha in {e.sha256 for e in record.evidence} - still_used:
            self.evidence.path(sha).unlink(missing_ok=True)
        self.record = self.case = self.form = None
        self._notify()

    # --- editing ---------------------------------------------------------------------------

    def _require(self) -> SurveyRecord:
        if self.record is None:
            raise VisitError(NO_RECORD)
        return self.record

    def _save(self, record: SurveyRecord) -> None:
        before = self.record if self.record is not None and self.record.id == record.id else None
        record = with_trail(before, record, self.team.operator or "", self.clock())  # device audit trail
        with self.store.transaction() as s:
            q.save_draft(s, record, self.clock())
        self.record = record
        self._notify()

    def _update(self, **changes: object) -> SurveyRecord:
        record = self._require()
        with _valid_text():
            updated = SurveyRecord.model_validate({**record.model_dump(), **changes})
        self._save(updated)
        return updated

    @serialized
    def set_notification(self, item_id: str, checked: bool) -> None:
        """Tick or untick one notification step (R8, R15)."""
        record = self._require()
        if item_id not in {n.id for n in self.form.notification}:  # type: ignore[union-attr]
            raise VisitError(f"表单中没有告知事项 {item_id}")
        self._update(notification={**record.notification, item_id: bool(checked)})

    @serialized
    def set_respondent(self, name: str, relation: str = "", subject_id: str | None = None) -> None:
        """Who the team talks to; a subject_id must be one of the case's subjects (R2)."""
        self._require()
        if subject_id and self.case and subject_id not in {s.id for s in self.case.subjects}:
            raise VisitError("该人员不在本案件的核查对象范围内")
        with _valid_text():
            respondent = Respondent(name=name.strip(), relation=relation.strip(), subject_id=subject_id or None)
        self._update(respondent=respondent.model_dump())

    @serialized
    def set_outcome(self, outcome: Outcome) -> None:
        """Completed, or refused (R13 / R15)."""
        self._update(outcome=Outcome(outcome))

    @serialized
    def set_refusal_note(self, text: str) -> None:
        """What happened when the visit was refused (R13)."""
        self._update(refusal_note=text)

    @serialized
    def set_cannot_sign_reason(self, text: str) -> None:
        """Why the respondent cannot sign (R12); needs a proof photo or video too."""
        self._update(cannot_sign_reason=text)

    @serialized
    def set_location(self, location: Location | None) -> None:
        """The tablet's position fix for the visit."""
        self._update(location=location.model_dump() if location else None)

    @serialized
    def record_fix(self, moment: str, location: Location | None, reason: str = "") -> None:
        """A position fix at the start of the visit or at sealing, with its distance to the household;
        no fix or a poor one keeps a reason (moment: "start" or "seal")."""
        record = self._require()
        if moment not in ("start", "seal"):
            raise VisitError("定位时点不正确")
        fix = location_fix(self.clock(), location, self.case, reason)
        changes: dict[str, object] = {f"{moment}_fix": fix.model_dump()}
        if moment == "start" and location is not None and record.location is None:
            changes["location"] = location.model_dump()
        self._update(**changes)

    def readback(self) -> list[tuple[str, str]]:
        """R29: what the respondent reads before signing (label, value)."""
        return readback_lines(self.form, self._require())  # type: ignore[arg-type]

    # --- evidence --------------------------------------------------------------------------

    def _add_evidence(self, ref: EvidenceRef, replaces: Callable[[EvidenceRef], bool] | None = None) -> EvidenceRef:
        record = self._require()
        kept = [e for e in record.evidence if not (replaces and replaces(e))]
        existing = next((e for e in kept if e.sha256 == ref.sha256 and e.role == ref.role
                         and (e.role not in SIGNATURE_ROLES or e.captured_by == ref.captured_by)), None)
        if existing is not None:
            return existing  # the same file twice in the same role is one piece of evidence
        self._update(evidence=[e.model_dump() for e in [*kept, ref]])
        return ref

    def _operator(self) -> str:
        operator = self.team.operator
        if operator is None:
            raise VisitError("请先登录")
        return operator

    def check_capture(self) -> None:
        """Raise VisitError when nothing may be captured yet (notification not done)."""
        require_notified(self.form, self._require())  # type: ignore[arg-type]

    @serialized
    def add_photo(self, data: bytes, filename: str = "", role: Role = Role.SCENE, caption: str = "",
                  origin: Origin = Origin.IMPORT, shot_at: datetime | None = None,
                  shot_location: Location | None = None) -> EvidenceRef:
        """Check a photo (fully decoded), keep its original bytes, hash them now, list it in the record (R10).

        A camera shot keeps `shot_at`/`shot_location` (taken at the moment of capture); an import (导入)
        keeps its own EXIF time and GPS. Flags for the reviewer are added (schemas.evidence_checks)."""
        record = self._require()
        self.check_capture()
        if Role(role) not in PHOTO_ROLES:
            raise VisitError("照片不能作为签名使用")
        photo = ingest_photo(data, filename)
        with _if_full("照片未保存"):
            sha, size = self.evidence.put_bytes(photo.data)
            with _valid_text():  # a file left unreferenced by a refused caption is pruned later
                ref = photo_ref(photo, sha=sha, size=size, role=Role(role), origin=Origin(origin),
                                operator=self._operator(), filename=filename[-200:], caption=caption,
                                record=record, case=self.case, now=self.clock(), shot_at=shot_at,
                                shot_location=shot_location)
            return self._add_evidence(ref)

    @serialized
    def remove_evidence(self, sha: str) -> list[EvidenceRef]:
        """Take a file out of the record, with a signature's strokes (the file stays until nothing uses it);
        returns the references that left (none: the file was not in the record, and nothing changed)."""
        record = self._require()
        gone = {sha} | {e.strokes_sha256 for e in record.evidence if e.sha256 == sha and e.strokes_sha256}
        removed = [e for e in record.evidence if e.sha256 in gone]
        if removed:
            self._update(evidence=[e.model_dump() for e in record.evidence if e.sha256 not in gone])
        return removed

    @serialized
    def restore_evidence(self, refs: list[EvidenceRef]) -> None:
        """Put removed files back with their metadata (an undone 移除); the trail says "restored"."""
        record = self._require()
        for ref in refs:
            if not self.evidence.has(ref.sha256):
                raise VisitError(f"留证文件 {ref.filename or ref.sha256[:12]} 已删除，无法撤销")
        listed = {(e.sha256, e.role) for e in record.evidence}
        back = [r for r in refs if (r.sha256, r.role) not in listed]
        if back:
            self._update(evidence=[e.model_dump() for e in [*record.evidence, *back]])

    def shred_unused(self, shas: set[str]) -> list[str]:
        """Crypto-shred the files among `shas` that no draft and no unsent record still uses."""
        with self.store.reading() as s:
            in_use = q.evidence_in_use(s)
        return [sha for sha in sorted(shas - in_use) if self.evidence.delete(sha)]

    @serialized
    def add_media(self, ref: EvidenceRef, log: MediaEvent | None = None) -> EvidenceRef:
        """List a sealed audio or video file in the record (field_app.viewmodels.recording builds it),
        with a line of the recording log when given."""
        self.check_capture()
        ref = self._add_evidence(ref)
        if log is not None:
            self.log_media(log)
        return ref

    @serialized
    def log_media(self, event: MediaEvent) -> None:
        """Add a line to the record's recording log (start, pause, stop of a recording)."""
        record = self._require()
        self._update(media_log=[m.model_dump() for m in [*record.media_log, event]])

    @serialized
    def sign(self, role: Role, strokes: list[Stroke] | list[list[tuple[float, ...]]], surveyor: str | None = None,
             width: int = 600, height: int = 240) -> EvidenceRef:
        """Render a signature to PNG evidence, its raw strokes (t, x, y) kept beside it as JSON evidence;
        replaces the same signer's earlier one (R11, R16). The respondent signs over the read-back (R29)."""
        record = self._require()
        self.check_capture()
        role = Role(role)
        if role not in SIGNATURE_ROLES:
            raise VisitError("签名类型不正确")
        if role == Role.SURVEYOR_SIGNATURE:
            if surveyor not in record.surveyors:
                raise VisitError("只有本记录的调查人员可以作为调查人员签名")
            signer = surveyor
        else:
            signer = self._operator()
        png = render_signature(xy(strokes), width, height)  # type: ignore[arg-type]
        raw = strokes_json(strokes, width, height)  # type: ignore[arg-type]
        with _if_full("签名未保存"):
            sha, size = self.evidence.put_bytes(png)
            raw_sha, raw_size = self.evidence.put_bytes(raw)
            now = self.clock()
            ref = EvidenceRef(sha256=sha, size=size, media_type="image/png", kind=EvidenceKind.SIGNATURE,
                              role=role, captured_at=now, captured_by=signer, added_at=now,
                              filename=f"{role.value}-{signer}.png", strokes_sha256=raw_sha)
            if any(e.sha256 == sha for e in record.evidence if e.kind == EvidenceKind.SIGNATURE):
                ref = with_flag(ref, DUPLICATE_SIGNATURE)
            strokes_ref = EvidenceRef(sha256=raw_sha, size=raw_size, media_type="application/json",
                                      kind=EvidenceKind.DOCUMENT, role=Role.SIGNATURE_STROKES, captured_at=now,
                                      captured_by=signer, added_at=now, filename=f"{role.value}-{signer}.json")
            return self._put_signature(ref, strokes_ref)

    def _put_signature(self, ref: EvidenceRef, strokes_ref: EvidenceRef) -> EvidenceRef:
        """Replace the signer's earlier signature (and its strokes) by this one, in one save."""
        record = self._require()
        one_respondent = ref.role == Role.RESPONDENT_SIGNATURE  # one respondent signature, whoever held the tablet
        old = [e for e in record.evidence
               if e.role == ref.role and (one_respondent or e.captured_by == ref.captured_by)]
        gone = {e.sha256 for e in old} | {e.strokes_sha256 for e in old if e.strokes_sha256}
        kept = [e for e in record.evidence if e.sha256 not in gone or e.role not in (ref.role, Role.SIGNATURE_STROKES)]
        changes: dict[str, object] = {"evidence": [e.model_dump() for e in [*kept, ref, strokes_ref]]}
        if one_respondent:
            changes["readback_digest"] = readback_digest(self.form, record)  # type: ignore[arg-type]
        self._update(**changes)
        return ref

    def evidence_of(self, role: Role) -> list[EvidenceRef]:
        """The open record's evidence of one role."""
        return self._require().evidence_with(Role(role))

    # --- completeness and seal ---------------------------------------------------------------

    def missing(self) -> list[Missing]:
        """What the record still lacks before it may be sealed."""
        return missing_items(self.form, self._require())  # type: ignore[arg-type]

    def findings(self) -> list[Finding]:
        """What the agency's server will find in this record's evidence (issue 16), shown before sealing."""
        return judged(self._require(), self.case, self.evidence, self.clock())

    @serialized
    def seal(self, pins: dict[str, str]) -> SealedRecord:
        """Seal with every surveyor's key (PIN per username); queue it and drop the draft at once."""
        record, form = self._require(), self.form
        if self.case is not None:  # R1 (先授权、后核对): never sealed on a case not released, nor before its release
            blockers = case_blockers(self.case)
            if blockers:
                raise VisitError("；".join(blockers) + "，记录未封存")
            if self.case.released_at is not None and self.clock() < self.case.released_at:
                raise VisitError("平板时间早于案件下达时间，记录未封存；请校准平板日期和时间后再封存")
        missing = self.missing()
        if missing:
            raise IncompleteRecord(missing)
        for ref in record.evidence:
            if not self.evidence.verify(ref.sha256):
                raise VisitError(f"留证文件 {ref.filename or ref.sha256[:12]} 在本机缺失或已损坏，请重新采集")
        keys = {}
        for username in record.surveyors:
            if not pins.get(username):
                raise WrongPin(f"请调查人员 {self.team.display_name(username)} 输入 PIN 码确认签名")
            try:
                keys[username] = self.team.unlock(username, pins[username])
            except WrongPin as wrong:
                raise WrongPin(f"{wrong.message}，记录未封存") from None
        sealed = seal_record(form, record, keys, self.clock(), self.team.public_key)  # type: ignore[arg-type]
        with _if_full("记录未封存"), self.store.transaction() as s:
            q.add_to_outbox(s, sealed)
            q.delete_draft(s, record.id)
        self.record = self.case = self.form = None
        self.errors = {}
        self._notify()
        return sealed


@contextmanager
def _valid_text() -> Iterator[None]:
    """Turn a breach of the wire rules (schemas/text.py: too long, a NUL character) into a VisitError."""
    try:
        yield
    except ValidationError as error:
        raise VisitError(_refused_text(error)) from None


def _refused_text(error: ValidationError) -> str:
    """A Chinese sentence for text the record may not hold (nothing was saved)."""
    for detail in error.errors():
        limit = (detail.get("ctx") or {}).get("max_length")
        if detail.get("type") == "string_too_long" and limit:
            return f"内容过长，最多 {limit} 个字，未保存"
    return "内容含有不允许的字符，未保存"
