"""Test helpers: a complete, validly sealed home visit for the demo case, and a signed-in field team."""
from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from PIL import Image, ImageDraw
from sqlalchemy import event

from schemas.protocol import API_PREFIX, DEVICE_HEADER, PROTOCOL_HEADER
from schemas.records import (
    EvidenceKind,
    EvidenceRef,
    Outcome,
    Respondent,
    Role,
    SealedRecord,
    SurveyRecord,
    VisitKind,
)
from schemas.seal import key_id, public_key_bytes, sign_record
from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID
from tests.media import PHOTOS
from tests.sync_server.testclient import TestClient

ACCEPTED_ON = date(2026, 11, 16)
T0 = datetime(2026, 11, 17, 1, 30, tzinfo=UTC)
RELEASED = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # the demo cases' release in test servers (ACCEPTED_ON
# 09:00 Beijing, when the seed hands the materials in and two reviewers check them): before T0 (R1)
SURVEYORS = ("zhangwei", "lina")
CREDENTIALS = {a.username: a for a in DEMO_ACCOUNTS}
HEAD_OF_HOUSEHOLD = f"{DEMO_CASE_ID}-s1"


class Clock:
    """A clock the test moves by hand (the server's time seam)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def api_client(app: FastAPI) -> TestClient:
    return TestClient(app, headers={PROTOCOL_HEADER: "1"})


def signature_png(name: str) -> bytes:
    """A signature as the tablet would save it: strokes on white, PNG."""
    image = Image.new("L", (360, 120), 255)
    seed = hashlib.sha256(name.encode()).digest()
    ImageDraw.Draw(image).line([(20 + i * 20, 25 + seed[i] % 70) for i in range(16)], fill=0, width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


ANSWERS = {
    "housing_type": "自有住房", "housing_area_m2": 62.5,
    "housing_condition": "砖混结构两室一厅，简单装修，家电陈旧", "id_documents_checked": True,
    "household_register_checked": True, "identity_note": "户口簿与身份证一致", "household_size": 3,
    "health_and_disability": "户主王建国腰椎间盘突出，不能从事重体力劳动", "monthly_income_yuan": 2100,
    "income_sources": "配偶刘秀英在超市做保洁，月收入约 2100 元", "has_vehicle": False,
    "property_note": "仅有现住房一套，无存款", "major_spending": "户主每月药费约 600 元；子女高中学杂费",
    "daily_life_observed": "冰箱内食物简单，衣物陈旧，生活节俭", "survey_conclusion": "家庭生活困难情况属实",
}


@dataclass
class Visit:
    """A record and the bytes of every file its manifest names."""

    record: SurveyRecord
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, data: bytes, kind: EvidenceKind, role: Role, by: str, media_type: str,
            caption: str = "") -> None:
        sha = hashlib.sha256(data).hexdigest()
        self.files[sha] = data
        self.record.evidence.append(EvidenceRef(sha256=sha, size=len(data), media_type=media_type, kind=kind,
                                                role=role, captured_at=T0, captured_by=by, caption=caption))


def home_visit(record_id: str = "rec-hv-000001", case_id: str = DEMO_CASE_ID,
               surveyors: tuple[str, ...] = SURVEYORS, subject_id: str | None = HEAD_OF_HOUSEHOLD) -> Visit:
    """A complete home visit: every answer, real photos, the respondent's and each surveyor's signature."""
    record = SurveyRecord(
        id=record_id, case_id=case_id, kind=VisitKind.HOME_VISIT, form_id="home_visit", form_version=1,
        surveyors=list(surveyors), notification={"work_id_shown": True, "purpose_explained": True,
                                                 "family_consents": True},
        respondent=Respondent(name="王建国", relation="本人", subject_id=subject_id), answers=dict(ANSWERS),
        started_at=T0, sealed_at=T0 + timedelta(minutes=40), device_id="tablet-yb-01")
    visit = Visit(record)
    photo, signature = EvidenceKind.PHOTO, EvidenceKind.SIGNATURE
    visit.add((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes(), photo, Role.SCENE, surveyors[0], "image/jpeg",
              "客厅与厨房")
    visit.add((PHOTOS / "gps" / "DSCN0012.jpg").read_bytes(), photo, Role.SCENE, surveyors[-1], "image/jpeg",
              "卧室")
    visit.add(signature_png("王建国"), signature, Role.RESPONDENT_SIGNATURE, surveyors[0], "image/png")
    for surveyor in surveyors:
        visit.add(signature_png(surveyor), signature, Role.SURVEYOR_SIGNATURE, surveyor, "image/png")
    return visit


def refused_visit(record_id: str = "rec-hv-refused1") -> Visit:
    """R13: the family refuses; the team records what happened and both sign."""
    visit = home_visit(record_id)
    record = visit.record
    record.outcome, record.answers, record.evidence = Outcome.REFUSED, {}, []
    record.notification = {"work_id_shown": True, "purpose_explained": True}
    record.refusal_note = "户主王建国在门口表示不同意入户，拒绝在记录上签字"
    visit.files = {}
    for surveyor in SURVEYORS:
        visit.add(signature_png(surveyor), EvidenceKind.SIGNATURE, Role.SURVEYOR_SIGNATURE, surveyor,
                  "image/png")
    return visit


@dataclass
class FieldTeam:
    """The demo surveyors signed in, each with a registered key; plus a reviewer."""

    client: TestClient
    headers: dict[str, dict[str, str]]
    keys: dict[str, Ed25519PrivateKey]

    @classmethod
    def sign_in(cls, client: TestClient) -> FieldTeam:
        team = cls(client, {}, {})
        for username in SURVEYORS:
            team.headers[username] = device_login(client, username)
            team.keys[username] = register_key(client, team.headers[username], CREDENTIALS[username].pin)
        team.headers["wangfang"] = password_login(client, "wangfang")
        return team

    def seal(self, record: SurveyRecord, signers: tuple[str, ...] | None = None) -> SealedRecord:
        """The record sealed by each signer with their own registered key."""
        signers = tuple(record.surveyors) if signers is None else signers
        return SealedRecord(record=record, seals=[sign_record(record, s, self.keys[s]) for s in signers])

    def upload(self, files: dict[str, bytes], as_user: str = "zhangwei") -> None:
        for sha, data in files.items():
            response = self.client.put(f"{API_PREFIX}/evidence/{sha}", content=data,
                                       headers=self.headers[as_user])
            assert response.status_code == 200, response.text

    def post(self, sealed: SealedRecord, as_user: str = "zhangwei") -> httpx.Response:
        return self.client.post(f"{API_PREFIX}/records", content=sealed.model_dump_json(),
                                headers={**self.headers[as_user], "content-type": "application/json"})

    def submit(self, visit: Visit, as_user: str = "zhangwei") -> httpx.Response:
        """Upload the files, seal, post: what the tablet's outbox does."""
        self.upload(visit.files, as_user)
        return self.post(self.seal(visit.record), as_user)

    def merged_ids(self, case_id: str = DEMO_CASE_ID) -> list[str]:
        """The record ids merged into a case, as a reviewer sees them."""
        response = self.client.get(f"{API_PREFIX}/cases/{case_id}", headers=self.headers["wangfang"])
        assert response.status_code == 200, response.text
        return [m["sealed"]["record"]["id"] for m in response.json()["records"]]


def device_login(client: TestClient, username: str, device_id: str = "tablet-yb-01",
                 pin: str | None = None) -> dict[str, str]:
    """A surveyor's device token, as the headers a tablet sends with it (bearer + X-Device-Id)."""
    body = {"username": username, "pin": pin or CREDENTIALS[username].pin, "device_id": device_id}
    response = client.post(f"{API_PREFIX}/auth/device-login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}", DEVICE_HEADER: device_id}


def password_login(client: TestClient, username: str, password: str | None = None) -> dict[str, str]:
    body = {"username": username, "password": password or CREDENTIALS[username].password}
    response = client.post(f"{API_PREFIX}/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def enrolment(key: Ed25519PrivateKey, pin: str, device_id: str = "tablet-yb-01") -> dict[str, str]:
    """The body of PUT /keys for this key."""
    raw = public_key_bytes(key.public_key())
    return {"key_id": key_id(raw), "public_key": base64.b64encode(raw).decode(), "device_id": device_id,
            "pin": pin}


def register_key(client: TestClient, headers: dict[str, str], pin: str) -> Ed25519PrivateKey:
    """A new key enrolled with the surveyor's own PIN from the device of their token."""
    key = Ed25519PrivateKey.generate()
    response = client.put(f"{API_PREFIX}/keys", headers=headers,
                          json=enrolment(key, pin, headers.get(DEVICE_HEADER, "tablet-yb-01")))
    assert response.status_code == 200, response.text
    return key


T = TypeVar("T")


def at_once(count: int, action: Callable[[TestClient], T], app: FastAPI) -> list[T]:
    """Run `action` in `count` threads, each with its own client on the app, released together."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with api_client(app) as client:
                barrier.wait(timeout=30)
                results.append(action(client))
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert len(results) == count
    return results


def problem_of(response: httpx.Response) -> dict:
    """The problem body, after checking it is one."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    return body


def iso_media(brand: bytes, size: int) -> bytes:
    """`size` bytes that open like an ISO media file of this brand (an `ftyp` box, then noise): what the
    server's type check reads, so load and resume tests upload audio and video it accepts."""
    body = brand + b"\x00\x00\x02\x00" + brand + b"isomiso2"
    head = (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"
    return head + os.urandom(max(0, size - len(head)))


def m4a_audio(size: int) -> bytes:
    """An M4A recording's worth of bytes (see `iso_media`)."""
    return iso_media(b"M4A ", size)


def mp4_video(size: int) -> bytes:
    """An MP4 clip's worth of bytes (see `iso_media`)."""
    return iso_media(b"isom", size)


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = app.state.services.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
