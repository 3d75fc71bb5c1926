"""Flag codes, thresholds and the time and distance helpers the evidence findings are built from.

The judgement itself is ONE function, `schemas.findings.record_findings`, run by the tablet before sealing
and by the server at ingest. A flag does not refuse anything (the team may have good reasons), it asks the
reviewer to look: a photo taken outside the visit, far from the household or without EXIF; an image too
small to show anything; a signature image byte-identical to another one (real handwriting never repeats).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from schemas import beijing
from schemas.beijing import as_beijing
from schemas.records import EvidenceKind, EvidenceRef, Location, Role

FAR_M = 500.0  # default threshold: farther than this from the household's registered location
POOR_ACCURACY_M = 100.0  # a fix less accurate than this is recorded with a reason
WINDOW_SLACK = timedelta(minutes=15)  # clock skew between camera and tablet

OUTSIDE_VISIT = "outside_visit_window"
FAR_FROM_HOUSEHOLD = "far_from_household"
NO_EXIF = "no_exif"
SMALL_IMAGE = "small_image"
DUPLICATE_SIGNATURE = "duplicate_signature"
NO_FIX = "no_fix"
POOR_FIX = "poor_fix"

FLAG_LABELS = {
    OUTSIDE_VISIT: "拍摄时间不在本次调查时间内",
    FAR_FROM_HOUSEHOLD: "拍摄地点距登记住址较远",
    NO_EXIF: "照片没有拍摄信息（EXIF），拍摄时间和地点无法核实",
    SMALL_IMAGE: "照片分辨率过低，可能看不清内容",
    DUPLICATE_SIGNATURE: "签名图片与其他签名完全相同（手写签名不会逐字节重复）",
    NO_FIX: "未取得定位",
    POOR_FIX: "定位精度较差",
}


def flag_label(code: str) -> str:
    """The Chinese text of a flag code (the code itself when unknown, e.g. from a newer tablet)."""
    return FLAG_LABELS.get(code, code)


def beijing_text(moment: datetime | None) -> str:
    """A time as the tablet shows it: schemas.beijing's text (—— when unknown)."""
    return beijing.beijing_text(moment, "——")


def distance_m(a: Location, b_lat: float | None, b_lon: float | None) -> float | None:
    """Geodesic (WGS84) distance in metres from a fix to a registered place; None without one."""
    if b_lat is None or b_lon is None:
        return None
    from geopy.distance import geodesic  # at first use: geopy loads its geocoders and requests (~0.1 s)

    return float(geodesic((a.lat, a.lon), (b_lat, b_lon)).meters)


def outside_window(taken: datetime, start: datetime, end: datetime) -> bool:
    """Whether a shot time falls outside [start, end], allowing for clock skew."""
    moment = as_beijing(taken)
    return moment < start - WINDOW_SLACK or moment > end + WINDOW_SLACK


class _Ref(Protocol):
    @property
    def kind(self) -> EvidenceKind: ...
    @property
    def role(self) -> Role: ...
    @property
    def sha256(self) -> str: ...
    @property
    def captured_by(self) -> str: ...


class WithEvidence(Protocol):
    """What `duplicate_signatures` reads of a record (a SurveyRecord, or a lighter row on the server)."""

    @property
    def id(self) -> str: ...
    @property
    def evidence(self) -> Sequence[_Ref]: ...


def duplicate_signatures(records: Sequence[WithEvidence]) -> dict[str, list[tuple[str, str]]]:
    """Signature images whose bytes occur more than once (across people or records):
    sha256 -> [(record id, signer)] for every occurrence."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        for ref in record.evidence:
            if ref.kind == EvidenceKind.SIGNATURE and ref.role in (Role.RESPONDENT_SIGNATURE,
                                                                   Role.SURVEYOR_SIGNATURE):
                seen.setdefault(ref.sha256, []).append((record.id, ref.captured_by))
    return {sha: where for sha, where in seen.items() if len(where) > 1}


def with_flag(ref: EvidenceRef, flag: str) -> EvidenceRef:
    """The same reference with one more flag (no duplicates)."""
    if flag in ref.flags:
        return ref
    return ref.model_copy(update={"flags": [*ref.flags, flag]})
