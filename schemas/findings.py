"""Evidence findings: what the agency itself reads from a sealed record and the original bytes (R10, R30, R42).

ONE pure function, `record_findings`, judges a record: the tablet runs it before sealing (so the team
sees what the reviewer will see) and the server runs it at ingest and keeps the result with the record.
It reads the record and the facts of its files' bytes (schemas.photo_facts), never the flags a tablet
wrote into the record: those are the tablet's opinion, the bytes and the sealed fields are the evidence.

A finding refuses nothing (the team may have good reasons): it asks the reviewer to look, and the case
is 齐全 only once every finding is acknowledged with a reason (sync_server.casework.findings).

The rules, each a finding code:
- a photo's capture time: its EXIF time; a photo from the app's camera without EXIF is dated by the
  time the app stamped (sealed); an imported photo without EXIF has no time (`no_exif`). Outside the
  visit window (started .. sealed, 15 minutes' clock slack) is `outside_visit_window`.
- a photo's place: its EXIF GPS, else the tablet's fix at the shot; none is `no_gps`; farther than
  FAR_M from the household is `far_from_household`. Without a household place no distance can be
  judged: `no_household_place` (shown in amber, never as passed).
- the record's fixes (start, seal): missing (`no_fix`), poor accuracy (`poor_fix`), far, mocked.
- `imported` (picked from the gallery instead of taken in the app), `small_image`, `unreadable_image`.
- signatures: byte-identical to another signature of the case (`duplicate_signature`) or trivial
  strokes (`trivial_signature`: a dot, a line, a few points).
- the visit started before the case's release (`started_before_release`) or after its deadline.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, Field

from schemas.evidence_checks import (
    DUPLICATE_SIGNATURE,
    FAR_FROM_HOUSEHOLD,
    FAR_M,
    FLAG_LABELS,
    NO_EXIF,
    NO_FIX,
    OUTSIDE_VISIT,
    POOR_ACCURACY_M,
    POOR_FIX,
    SMALL_IMAGE,
    as_beijing,
    beijing_text,
    distance_m,
    outside_window,
)
from schemas.photo_facts import PhotoFacts, StrokeFacts
from schemas.records import EvidenceKind, EvidenceRef, Location, LocationFix, Origin, Role, SurveyRecord
from schemas.text import WireModel

NO_GPS = "no_gps"
MOCK_LOCATION = "mock_location"
IMPORTED = "imported"
UNREADABLE = "unreadable_image"
TRIVIAL_SIGNATURE = "trivial_signature"
NO_HOUSEHOLD_PLACE = "no_household_place"
BEFORE_RELEASE = "started_before_release"
AFTER_DEADLINE = "started_after_deadline"

MIN_SIDE = 480  # a shorter side below this: too small to see (the tablet warns at capture with the same rule)
MIN_POINTS = 12  # fewer pen points than this is no handwriting
MIN_SPAN = 0.04  # strokes spanning less than this share of the pad across or down: a dot or a straight line

LABELS = {
    **FLAG_LABELS,
    NO_EXIF: "照片没有拍摄时间（EXIF），无法核实拍摄时间",
    NO_GPS: "照片没有拍摄位置，无法核实拍摄地点",
    MOCK_LOCATION: "设备报告为模拟定位",
    IMPORTED: "照片为导入的文件，不是在应用内现场拍摄",
    UNREADABLE: "照片文件无法读取",
    TRIVIAL_SIGNATURE: "签名笔迹过于简单（一点、一条直线或笔画过少）",
    NO_HOUSEHOLD_PLACE: "案件未登记家庭位置，无法核对距离",
    BEFORE_RELEASE: "调查开始时间早于案件下达时间（先授权、后核对）",
    AFTER_DEADLINE: "调查开始时间晚于案件办理期限",
}
PHOTO_ROLES = (Role.SCENE, Role.CANNOT_SIGN_PROOF, Role.REFUSAL_PROOF)
SIGNATURE_ROLES = (Role.RESPONDENT_SIGNATURE, Role.SURVEYOR_SIGNATURE)
FIXES = {"start_fix": "开始调查时定位", "seal_fix": "签章时定位", "location": "调查定位"}


class Finding(BaseModel):
    """One thing the reviewer must see: a code, what it concerns, and the facts behind it in Chinese."""

    code: str
    target: str = ""  # "" the record; an evidence file's sha256; "start_fix" / "seal_fix"
    detail: str = ""

    @property
    def label(self) -> str:
        return label_of(self.code)

    @property
    def key(self) -> tuple[str, str]:
        """What an acknowledgement is about: the same code on the same target."""
        return (self.code, self.target)

    def text(self) -> str:
        """The finding as one Chinese line."""
        return f"{self.label}（{self.detail}）" if self.detail else self.label


def label_of(code: str) -> str:
    """The Chinese text of a finding code (the code itself when unknown, e.g. from a newer tablet)."""
    return LABELS.get(code, code)


@dataclass(frozen=True)
class CaseContext:
    """What the judgement needs of the case: where the household is, when it was released, its deadline,
    and the signature images of the case's other records."""

    household: tuple[float, float] | None = None
    released_at: datetime | None = None
    deadline: date | None = None
    other_signatures: frozenset[str] = field(default_factory=frozenset)


def _metres(value: float) -> str:
    return f"{value:.0f} 米" if value < 10_000 else f"{value / 1000:.0f} 公里"


def place_findings(location: Location | None, household: tuple[float, float] | None, target: str,
                   far_m: float = FAR_M) -> list[Finding]:
    """A place (a photo's or a fix's): missing, mocked, far; no household place is said once per record."""
    if location is None:
        return []
    out = []
    if location.mock:
        out.append(Finding(code=MOCK_LOCATION, target=target))
    if household is not None:
        away = distance_m(location, *household)
        if away is not None and away > far_m:
            out.append(Finding(code=FAR_FROM_HOUSEHOLD, target=target, detail=f"距登记住址 {_metres(away)}"))
    return out


def fix_findings(fix: LocationFix | None, household: tuple[float, float] | None, target: str) -> list[Finding]:
    """A position fix of the visit: none, poor accuracy, mocked, far."""
    if fix is None or fix.location is None:
        reason = fix.reason if fix is not None else ""
        return [Finding(code=NO_FIX, target=target, detail=f"{FIXES.get(target, '')}：{reason}".strip("：")
                        if reason else FIXES.get(target, ""))]
    out = []
    accuracy = fix.location.accuracy_m
    if accuracy is None or accuracy > POOR_ACCURACY_M:
        out.append(Finding(code=POOR_FIX, target=target,
                           detail=f"精度 {accuracy:.0f} 米" if accuracy is not None else "精度未知"))
    return out + place_findings(fix.location, household, target)


def photo_findings(ref: EvidenceRef, facts: PhotoFacts | None, start: datetime, end: datetime,
                   household: tuple[float, float] | None) -> list[Finding]:
    """One photo: origin, time, place, size, judged from its bytes' facts (None: bytes not at hand)."""
    sha = ref.sha256
    out = [Finding(code=IMPORTED, target=sha)] if ref.origin == Origin.IMPORT else []
    if facts is None:
        return out
    if not facts.readable:
        return [*out, Finding(code=UNREADABLE, target=sha)]
    taken = facts.taken_at if facts.taken_at is not None else (
        None if ref.origin == Origin.IMPORT else ref.captured_at)
    if taken is None:
        out.append(Finding(code=NO_EXIF, target=sha))
    elif outside_window(taken, start, end):
        out.append(Finding(code=OUTSIDE_VISIT, target=sha, detail=f"拍摄于 {beijing_text(taken)}，调查时间 "
                                                                   f"{beijing_text(start)} 至 {beijing_text(end)}"))
    place = facts.gps or (None if ref.origin == Origin.IMPORT else ref.location)
    if place is None:
        out.append(Finding(code=NO_GPS, target=sha))
    out += place_findings(place, household, sha)
    if min(facts.width, facts.height) < MIN_SIDE:
        out.append(Finding(code=SMALL_IMAGE, target=sha, detail=f"{facts.width}×{facts.height} 像素"))
    return out


def signature_findings(ref: EvidenceRef, strokes: StrokeFacts | None, repeated: bool) -> list[Finding]:
    """One signature image: identical to another signature, or strokes too trivial to be handwriting."""
    out = [Finding(code=DUPLICATE_SIGNATURE, target=ref.sha256)] if repeated else []
    if strokes is not None and (strokes.points < MIN_POINTS or strokes.width_share < MIN_SPAN
                                or strokes.height_share < MIN_SPAN):
        out.append(Finding(code=TRIVIAL_SIGNATURE, target=ref.sha256,
                           detail=f"{strokes.strokes} 笔，{strokes.points} 个点"))
    return out


def record_findings(record: SurveyRecord, case: CaseContext, photos: Mapping[str, PhotoFacts],
                    strokes: Mapping[str, StrokeFacts], now: datetime | None = None) -> list[Finding]:
    """Every finding of a record, in the record's order (record-level first). `now` ends the visit window
    of a record not yet sealed (the tablet's draft)."""
    start = record.started_at
    end = record.sealed_at or now or start
    out: list[Finding] = []
    if case.released_at is not None and start < case.released_at:
        out.append(Finding(code=BEFORE_RELEASE, detail=f"开始于 {beijing_text(start)}，案件下达于 "
                                                       f"{beijing_text(case.released_at)}"))
    if case.deadline is not None and as_beijing(start).date() > case.deadline:
        out.append(Finding(code=AFTER_DEADLINE, detail=f"开始于 {beijing_text(start)}，期限 {case.deadline}"))
    if case.household is None:
        out.append(Finding(code=NO_HOUSEHOLD_PLACE))
    if record.start_fix is None and record.seal_fix is None:  # a tablet before fixes: its one location
        out += (place_findings(record.location, case.household, "location") if record.location is not None
                else [Finding(code=NO_FIX, detail="记录未带任何定位")])
    else:
        for target in ("start_fix", "seal_fix"):
            out += fix_findings(getattr(record, target), case.household, target)
    signatures = [e.sha256 for e in record.evidence if e.kind == EvidenceKind.SIGNATURE and e.role in SIGNATURE_ROLES]
    for ref in record.evidence:
        if ref.kind == EvidenceKind.PHOTO:
            out += photo_findings(ref, photos.get(ref.sha256), start, end, case.household)
        elif ref.kind == EvidenceKind.SIGNATURE and ref.role in SIGNATURE_ROLES:
            repeated = signatures.count(ref.sha256) > 1 or ref.sha256 in case.other_signatures
            out += signature_findings(ref, strokes.get(ref.strokes_sha256 or ""), repeated)
        elif ref.origin == Origin.IMPORT:
            out.append(Finding(code=IMPORTED, target=ref.sha256))
    return list({f.key: f for f in out}.values())  # one finding per code and target


__all__ = ["AFTER_DEADLINE", "BEFORE_RELEASE", "IMPORTED", "LABELS", "MOCK_LOCATION", "NO_GPS",
           "NO_HOUSEHOLD_PLACE", "TRIVIAL_SIGNATURE", "UNREADABLE", "CaseContext", "Finding", "FindingAckIn",
           "FindingView", "fix_findings",
           "label_of", "photo_findings", "place_findings", "record_findings", "signature_findings"]


class FindingView(WireModel):
    """A kept finding as the API and the console show it, with its acknowledgement when there is one."""

    record_id: str
    code: str
    target: str = ""
    label: str
    detail: str = ""
    acknowledged: bool = False
    ack_reason: str = ""
    ack_by: str = ""
    ack_at: datetime | None = None


class FindingAckIn(WireModel):
    """A reviewer acknowledges one finding of one record, with the reason it does not stop the case."""

    record_id: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64)
    target: str = Field(default="", max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
