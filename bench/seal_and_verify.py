"""Sealing cost of a realistic, complete home-visit record (R11, R16), and the server's merge decision.

Builds a SurveyRecord on the real `home_visit` form with an answer for every field, the whole
notification checklist, two surveyors, and 10 evidence refs (7 scene photos hashed from real files,
the respondent's and both surveyors' signatures), then times schemas.seal.canonical_bytes,
record_digest, sign_record, seal_is_valid, the wire round trip, and sync_server.casework.merge.decide.
Prints median and p95 in microseconds.

Run: PYTHONPATH=. .venv/bin/python bench/seal_and_verify.py
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from _common import PHOTOS, median, p95, time_us
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schemas.forms import load_form
from schemas.records import (
    EvidenceKind,
    EvidenceRef,
    Location,
    Respondent,
    Role,
    SealedRecord,
    SurveyRecord,
    VisitKind,
)
from schemas.seal import canonical_bytes, key_id, public_key_bytes, record_digest, seal_is_valid, sign_record
from sync_server.casework.merge import CaseFacts, KnownKey, MergeFacts, decide
from sync_server.ops.seed import DEMO_CASE_ID

SURVEYORS = ("zhangwei", "lina")
CST = timezone(timedelta(hours=8))
STARTED = datetime(2026, 11, 18, 9, 30, tzinfo=CST)
SITE = Location(lat=29.5893, lon=106.5318, accuracy_m=8.0)
RUNS = 3000

TEXT_ANSWERS = {
    "housing_condition": "砖混结构两室一厅，约六十平方米，简单装修，墙面有渗水痕迹；家具为旧木床、旧衣柜，"
                         "家电有一台老式电视机和一台冰箱，无空调。",
    "identity_note": "户主及配偶身份证原件已核对，子女户籍在本户。",
    "health_and_disability": "户主患慢性阻塞性肺病，长期服药；配偶持肢体三级残疾证；子女在读高中，身体健康。",
    "income_sources": "配偶在社区从事保洁工作，月工资约一千六百元；户主无固定收入，偶有零工。",
    "property_note": "除现住房外无其他房产，无机动车，银行存款约三千元，无商业保险。",
    "major_spending": "户主每月药费约五百元，子女学杂费及生活费每月约八百元。",
    "daily_life_observed": "家中陈设简朴，冰箱内食物较少，户主说话时有明显气喘，生活状况与申报情况基本一致。",
    "survey_conclusion": "经入户调查，该户家庭收入较低，支出负担较重，建议按程序进入下一环节审核。",
}


def _answers() -> dict[str, bool | int | float | str]:
    """An answer for every field of the home-visit form, of the field's type."""
    out: dict[str, bool | int | float | str] = {}
    for field in load_form("home_visit").fields():
        if field.type == "choice":
            out[field.id] = field.options[0]
        elif field.type == "yesno":
            out[field.id] = field.id != "has_vehicle"
        elif field.type == "number":
            out[field.id] = {"housing_area_m2": 61.5, "household_size": 3, "monthly_income_yuan": 1600}.get(field.id, 1)
        else:
            out[field.id] = TEXT_ANSWERS.get(field.id, "已核实。")
    return out


def _ref(data: bytes, kind: EvidenceKind, role: Role, by: str, minute: int, name: str,
         media_type: str = "image/jpeg") -> EvidenceRef:
    return EvidenceRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type=media_type, kind=kind,
                       role=role, captured_at=STARTED + timedelta(minutes=minute), captured_by=by, filename=name,
                       caption="居住环境" if role == Role.SCENE else "", location=SITE)


def build_record() -> SurveyRecord:
    """A complete home-visit record with 10 evidence refs."""
    photos = sorted([*(PHOTOS / "gps").glob("*.jpg"), *(PHOTOS / "orientation").glob("*.jpg")])[:7]
    evidence = [_ref(p.read_bytes(), EvidenceKind.PHOTO, Role.SCENE, SURVEYORS[i % 2], 5 + i, p.name)
                for i, p in enumerate(photos)]
    evidence.append(_ref(b"respondent-signature-png" * 400, EvidenceKind.SIGNATURE, Role.RESPONDENT_SIGNATURE,
                         SURVEYORS[0], 40, "respondent.png", "image/png"))
    for i, who in enumerate(SURVEYORS):
        evidence.append(_ref(f"{who}-signature-png".encode() * 300, EvidenceKind.SIGNATURE,
                             Role.SURVEYOR_SIGNATURE, who, 41 + i, f"{who}.png", "image/png"))
    form = load_form("home_visit")
    return SurveyRecord(
        id="4f1c2b9e-7d3a-4e8b-9a51-0c6d2e8f1a37", case_id=DEMO_CASE_ID, kind=VisitKind.HOME_VISIT,
        form_id=form.id, form_version=form.version, surveyors=list(SURVEYORS),
        notification={item.id: True for item in form.notification},
        respondent=Respondent(name="王建国", relation="本人", subject_id=f"{DEMO_CASE_ID}-s1"),
        answers=_answers(), started_at=STARTED, sealed_at=STARTED + timedelta(minutes=45), location=SITE,
        device_id="tablet-yb-07", evidence=evidence)


def main() -> None:
    record = build_record()
    keys = {s: Ed25519PrivateKey.generate() for s in SURVEYORS}
    raws = {s: public_key_bytes(k.public_key()) for s, k in keys.items()}
    sealed = SealedRecord(record=record, seals=[sign_record(record, s, keys[s]) for s in SURVEYORS])
    wire = sealed.model_dump_json()
    facts = MergeFacts(
        uploader=SURVEYORS[0],
        case=CaseFacts(case_id=DEMO_CASE_ID, team=frozenset(SURVEYORS), authorized=True, entrusted=True,
                       subject_ids=frozenset({f"{DEMO_CASE_ID}-s1"}), methods=frozenset({"home_visit"})),
        keys={key_id(r): KnownKey(s, r) for s, r in raws.items()},
        stored={e.sha256: e.size for e in record.evidence},
        sniffed={e.sha256: e.media_type for e in record.evidence})
    assert decide(sealed, facts).status.value == "merged", "the bench record must be mergeable"
    seal = sealed.seals[0]
    assert seal_is_valid(record, seal, raws[seal.surveyor])

    print(f"record: {len(record.answers)} answers, {len(record.evidence)} evidence refs, "
          f"canonical bytes {len(canonical_bytes(record))} B, wire JSON {len(wire.encode())} B; {RUNS} runs each")
    cases = [
        ("canonical_bytes(record)", lambda: canonical_bytes(record)),
        ("record_digest(record)", lambda: record_digest(record)),
        ("sign_record(record, who, key)", lambda: sign_record(record, SURVEYORS[0], keys[SURVEYORS[0]])),
        ("seal_is_valid(record, seal, raw)", lambda: seal_is_valid(record, seal, raws[seal.surveyor])),
        ("SealedRecord.model_validate_json", lambda: SealedRecord.model_validate_json(wire)),
        ("merge.decide (2 seals, merged)", lambda: decide(sealed, facts)),
    ]
    print(f"{'operation':<36}{'min µs':>9}{'median µs':>11}{'p95 µs':>10}{'ops/s':>10}")
    for label, fn in cases:
        times = time_us(fn, RUNS)
        print(f"{label:<36}{min(times):>9.1f}{median(times):>11.1f}{p95(times):>10.1f}{1e6 / median(times):>10.0f}")


if __name__ == "__main__":
    main()
