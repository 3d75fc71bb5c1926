"""Many realistic cases and records written straight into the tables, fast (tests of query counts, and
bench/console_scale.py). Each record is a copy of one real sealed home visit or neighbour interview with its
own id and case, stored as ingest stores it (sealed JSON, signed bytes, the seals' verdict at ingest); the
summaries are then computed by the code that keeps them (summaries.refresh), as a commit would."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from schemas.records import Outcome, SealedRecord, VisitKind
from schemas.signed import seal_v2, signed_body
from sync_server.casework import seal_checks, summaries
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID, DEMO_UNIT
from sync_server.tables import Case, Record, RecordSurveyor, SignedRecordBytes, Subject
from tests.sync_server.helpers import SURVEYORS, home_visit

UNITS = (DEMO_UNIT, "渝北区双凤桥街道办事处", "渝北区回兴街道办事处", "渝北区兴隆镇人民政府")
NAMES = ("王建国", "李秀英", "张伟", "刘芳", "陈明", "杨丽", "赵强", "黄敏", "周杰", "吴静")
CHECKS = (["home_visit", "neighbour_interview"], ["home_visit"], ["home_visit", "neighbour_interview", "information_check"])
RECEIVED = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


def templates(keys: dict | None = None) -> dict[str, tuple[str, bytes, int]]:
    """A sealed completed home visit, a refused one and a neighbour interview: (sealed JSON with
    placeholder ids, signed bytes, seal version), sealed with the given (or throwaway) keys."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys = keys or {s: Ed25519PrivateKey.generate() for s in SURVEYORS}
    out = {}
    for name in ("home", "refused", "neighbour"):
        record = home_visit("rec-BULK-ID", case_id="case-BULK-ID").record
        if name == "refused":
            record.outcome, record.answers, record.refusal_note = Outcome.REFUSED, {}, "户主拒绝入户"
        if name == "neighbour":
            record.kind, record.form_id = VisitKind.NEIGHBOUR_INTERVIEW, "neighbour_interview"
            record.respondent.name, record.respondent.subject_id = "邻居张大妈", None
        sealed = seal_v2(record, {s: keys[s] for s in record.surveyors})
        out[name] = (sealed.model_dump_json(), signed_body(sealed), sealed.seal_version)
    return out


def record_rows(case_id: str, n: int, count: int, kinds: dict[str, tuple[str, bytes, int]],
                first: int = 0) -> tuple[list[dict], list[dict]]:
    """`count` record rows (and their signed-bytes rows) of one case, as ingest stores them."""
    records, bodies = [], []
    for r in range(first, first + count):
        kind = "neighbour" if r % 5 == 4 else "refused" if r % 17 == 16 else "home"
        sealed_json, body, version = kinds[kind]
        record_id = f"rec-{case_id}-{r:04d}"
        data = sealed_json.replace("rec-BULK-ID", record_id).replace("case-BULK-ID", case_id)
        record = json.loads(data)["record"]
        at = RECEIVED + timedelta(minutes=n * 7 + r)
        verdicts = seal_checks.dump(seal_checks.at_ingest(SealedRecord.model_validate_json(data)))
        records.append({"id": record_id, "case_id": case_id, "kind": record["kind"], "outcome": record["outcome"],
                        "form_id": record["form_id"], "form_version": record["form_version"], "sealed_json": data,
                        "digest": f"{n:032x}{r:032x}", "received_at": at, "received_from": SURVEYORS[0],
                        "seal_verdicts": verdicts, "seals_checked_at": at, "seals_checked_by": "",
                        "respondent_name": (record.get("respondent") or {}).get("name", "")})
        bodies.append({"record_id": record_id, "seal_version": version, "body": body, "seals_json": "[]"})
    return records, bodies


def insert_records(session: Session, records: list[dict], bodies: list[dict]) -> None:
    """Bulk insert, with who sealed each (record_surveyors, as ingest writes it); not committed: the caller
    refreshes the summaries."""
    for start in range(0, len(records), 5000):
        chunk = records[start:start + 5000]
        session.execute(insert(Record), chunk)
        session.execute(insert(SignedRecordBytes), bodies[start:start + 5000])
        sealers = [{"record_id": r["id"], "username": v["surveyor"], "case_id": r["case_id"]}
                   for r in chunk for v in json.loads(r["seal_verdicts"])]
        session.execute(insert(RecordSurveyor), sealers)


def add_cases(session: Session, first: int, count: int, records_each: int,
              kinds: dict[str, tuple[str, bytes, int]], prefix: str = "case-bulk") -> list[str]:
    """`count` released-looking cases of the demo team and agency, each with two subjects and
    `records_each` records (mostly home visits, some neighbour interviews, a few refusals). Committed."""
    cases, subjects, records, bodies = [], [], [], []
    ids = []
    for n in range(first, first + count):
        case_id = f"{prefix}-{n:06d}"
        ids.append(case_id)
        accepted = date(2026, 9, 1) + timedelta(days=n % 80)
        cases.append({"id": case_id, "title": f"{NAMES[n % len(NAMES)]}家庭经济状况核查", "entrusting_unit": UNITS[n % 4],
                      "address": f"重庆市渝北区松石北路 {n} 号", "lat": 29.58, "lon": 106.53,
                      "authorization_recorded": True, "entrustment_recorded": True, "accepted_on": accepted,
                      "re_verification": False, "required_checks": CHECKS[n % 3], "team_id": DEMO_TEAM_ID,
                      "agency_id": DEMO_AGENCY})
        for p in range(2):
            subjects.append({"id": f"{case_id}-s{p}", "case_id": case_id, "position": p,
                             "name": NAMES[(n + p) % len(NAMES)] + ("" if p == 0 else "之子"),
                             "id_number": make_id_number("500112", date(1960 + p * 25, 1 + n % 12, 1 + n % 28),
                                                         n % 900 + 1, p == 1),
                             "relation": "本人" if p == 0 else "子女", "household_address": "", "note": ""})
        more, more_bodies = record_rows(case_id, n, records_each, kinds)
        records += more
        bodies += more_bodies
    session.execute(insert(Case), cases)
    session.execute(insert(Subject), subjects)
    insert_records(session, records, bodies)
    for start in range(0, len(ids), 500):
        summaries.refresh(session, ids[start:start + 500])
        session.flush()
    session.commit()
    return ids
