"""Building evidence references at capture: shot time, place, origin and reviewer flags (pure, no flet).

A photo from the app's camera carries the time and position the tablet had when it was taken; a
photo picked from the gallery (导入) carries its own EXIF time and GPS, never the tablet's, so a
reviewer sees when and where it was really taken. Flags come from schemas.findings, the function the
server judges the sealed record with.
"""
from __future__ import annotations

import json
import math
from datetime import datetime

from field_app.capture.photo import Photo
from field_app.errors import VisitError
from schemas.evidence_checks import as_beijing, distance_m
from schemas.findings import CaseContext, fix_findings, photo_findings
from schemas.forms import Form
from schemas.photo_facts import PhotoFacts
from schemas.protocol import CaseSummary
from schemas.records import (
    EvidenceKind,
    EvidenceRef,
    Location,
    LocationFix,
    Origin,
    Outcome,
    Role,
    SurveyRecord,
)

NOT_NOTIFIED = "请先完成“告知与同意”步骤（出示工作证明、告知调查目的），再拍照、录音或签名"
Point = tuple[float, ...]  # (x, y) or (t, x, y): t in seconds from the first point


def notified(form: Form, record: SurveyRecord) -> bool:
    """Whether the notification checklist is done for the record's outcome (R8, R13, R15)."""
    refused = record.outcome == Outcome.REFUSED
    return all(record.notification.get(n.id) for n in form.notification if not refused or n.needed_for_refusal)


def require_notified(form: Form, record: SurveyRecord) -> None:
    """Refuse any capture before the notification step is done."""
    if not notified(form, record):
        raise VisitError(NOT_NOTIFIED)


def household(case: CaseSummary | None) -> tuple[float | None, float | None]:
    """The household's registered position (None, None when the case has none)."""
    return (case.lat, case.lon) if case is not None else (None, None)


def place_of(case: CaseSummary | None) -> tuple[float, float] | None:
    """The household's place as the findings judge distances from it (None: not known, no distance)."""
    return (case.lat, case.lon) if case is not None and case.lat is not None and case.lon is not None else None


def case_context(case: CaseSummary | None) -> CaseContext:
    """The case as the shared findings function needs it on the tablet (schemas.findings)."""
    if case is None:
        return CaseContext()
    return CaseContext(household=place_of(case), released_at=case.released_at, deadline=case.deadline)


def photo_ref(photo: Photo, *, sha: str, size: int, role: Role, origin: Origin, operator: str, filename: str,
              caption: str, record: SurveyRecord, case: CaseSummary | None, now: datetime,
              shot_at: datetime | None = None, shot_location: Location | None = None) -> EvidenceRef:
    """The reference of a checked photo: camera shots keep the tablet's time and place, imports their EXIF."""
    if origin == Origin.CAMERA:
        taken: datetime | None = shot_at or now
        captured_at = taken or now
        location = shot_location or photo.gps
    else:
        taken = photo.taken_at
        captured_at = as_beijing(taken) if taken is not None else now
        location = photo.gps
    ref = EvidenceRef(sha256=sha, size=size, media_type=photo.media_type, kind=EvidenceKind.PHOTO, role=role,
                      captured_at=captured_at, captured_by=operator, filename=filename, caption=caption,
                      location=location, origin=origin, added_at=now)
    facts = PhotoFacts(sha256=sha, width=photo.width, height=photo.height, taken_at=photo.taken_at, gps=photo.gps)
    found = photo_findings(ref, facts, record.started_at, now, place_of(case))  # as the server will judge it
    return ref.model_copy(update={"flags": [f.code for f in found]})


def location_fix(at: datetime, location: Location | None, case: CaseSummary | None, reason: str = "") -> LocationFix:
    """A fix with its distance to the household and flags; no fix or a poor one needs a reason."""
    away = distance_m(location, *household(case)) if location is not None else None
    flags = [f.code for f in fix_findings(LocationFix(at=at, location=location), place_of(case), "fix")]
    if flags and not reason.strip():
        reason = "未取得定位" if location is None else "定位精度不足或距登记住址较远（原因未说明）"
    return LocationFix(at=at, location=location, distance_m=None if away is None else round(away, 1),
                       flags=flags, reason=reason.strip())


def strokes_json(points: list[list[Point]], width: int, height: int) -> bytes:
    """The raw pen strokes as canonical JSON evidence: {"width","height","strokes":[[[t,x,y],...]]}."""
    strokes = []
    for stroke in points:
        clean = []
        for point in stroke:
            t, x, y = (0.0, *point) if len(point) == 2 else point[:3]
            if all(math.isfinite(v) for v in (t, x, y)):
                clean.append([round(t, 3), round(x, 1), round(y, 1)])
        if clean:
            strokes.append(clean)
    body = {"width": width, "height": height, "strokes": strokes}
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


def xy(points: list[list[Point]]) -> list[list[tuple[float, float]]]:
    """The (x, y) of each point, whether it came with a time or not."""
    return [[(p[-2], p[-1]) for p in stroke] for stroke in points]
