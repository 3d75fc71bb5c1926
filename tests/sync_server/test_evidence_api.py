"""PUT/HEAD/GET /evidence/{sha256}: a file is stored only when every byte arrived and hashes to its name."""
from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from fastapi import FastAPI

from sync_server.settings import Settings
from tests.sync_server.helpers import PHOTOS, FieldTeam, home_visit, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

PHOTO = (PHOTOS / "Nikon_D70.jpg").read_bytes()
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


_seeded: set[Path] = set()


@pytest.fixture(autouse=True)
def seeded_scans(settings: Settings) -> None:
    """The demo's intake scans (委托书, 授权书, pledges) are in the store before each test starts."""
    _seeded.clear()
    _seeded.update(p for p in settings.evidence_dir.rglob("*") if p.is_file())


def stored_files(settings: Settings) -> list[Path]:
    """Every file in the evidence store, temporary ones included, besides the seeded scans."""
    return sorted(p for p in settings.evidence_dir.rglob("*") if p.is_file() and p not in _seeded)


def put(team: FieldTeam, sha: str, body: bytes, as_user: str = "zhangwei", **headers: str):
    headers = {**team.headers[as_user], **headers}
    return team.client.put(f"/api/v1/evidence/{sha}", content=body, headers=headers)


def head(team: FieldTeam, sha: str, as_user: str = "zhangwei"):
    return team.client.head(f"/api/v1/evidence/{sha}", headers=team.headers[as_user])


def test_an_uploaded_photo_is_stored_under_its_hash_and_reads_back(team: FieldTeam, settings: Settings):
    """R10: evidence is kept byte for byte, addressed by its SHA-256."""
    response = put(team, PHOTO_SHA, PHOTO)
    assert response.json() == {"sha256": PHOTO_SHA, "size": len(PHOTO), "created": True}
    assert stored_files(settings) == [settings.evidence_dir / PHOTO_SHA[:2] / PHOTO_SHA]
    found = head(team, PHOTO_SHA, as_user="lina")
    assert found.status_code == 200 and found.headers["content-length"] == str(len(PHOTO))
    assert team.client.get(f"/api/v1/evidence/{PHOTO_SHA}", headers=team.headers["zhangwei"]).content == PHOTO


def test_uploading_the_same_file_again_stores_nothing_new(team: FieldTeam, settings: Settings):
    put(team, PHOTO_SHA, PHOTO)
    again = put(team, PHOTO_SHA, PHOTO, as_user="lina")
    assert again.status_code == 200
    assert again.json() == {"sha256": PHOTO_SHA, "size": len(PHOTO), "created": False}
    assert len(stored_files(settings)) == 1


def test_an_altered_file_is_refused_and_nothing_is_kept(team: FieldTeam, settings: Settings):
    """R10: bytes that do not hash to the announced SHA-256 are not evidence."""
    altered = PHOTO[:-1] + bytes([PHOTO[-1] ^ 0xFF])
    problem = problem_of(put(team, PHOTO_SHA, altered))
    assert problem["code"] == "evidence.hash_mismatch"
    assert problem["data"]["actual"] == hashlib.sha256(altered).hexdigest()
    assert stored_files(settings) == []
    assert head(team, PHOTO_SHA).status_code == 404


def test_a_file_over_the_size_limit_is_refused(team: FieldTeam, settings: Settings):
    big = (PHOTOS / "mobile" / "jolla.jpg").read_bytes()
    assert len(big) > settings.max_evidence_bytes
    problem = problem_of(put(team, hashlib.sha256(big).hexdigest(), big))
    assert (problem["code"], problem["status"]) == ("evidence.too_large", 413)
    assert stored_files(settings) == []


def test_a_streamed_file_without_length_is_cut_off_at_the_size_limit(team: FieldTeam, settings: Settings):
    big = (PHOTOS / "mobile" / "jolla.jpg").read_bytes()
    chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))
    response = team.client.put(f"/api/v1/evidence/{hashlib.sha256(big).hexdigest()}", content=chunks,
                               headers=team.headers["zhangwei"])
    assert "content-length" not in response.request.headers
    assert problem_of(response)["code"] == "evidence.too_large"
    assert stored_files(settings) == []


def _raw_put(app: FastAPI, token_header: str, sha: str, announced: int, messages: list[dict]) -> list[dict]:
    """Drive the ASGI app by hand, as a server would for a client that sends `messages` and stops."""
    path = f"/api/v1/evidence/{sha}"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PUT",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
             "headers": [(b"host", b"127.0.0.1"), (b"authorization", token_header.encode()),
                         (b"x-device-id", b"tablet-yb-01"), (b"content-length", str(announced).encode())]}
    queue, sent = list(messages), []

    async def receive() -> dict:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_a_client_that_dies_mid_upload_leaves_nothing_stored(app: FastAPI, team: FieldTeam,
                                                             settings: Settings):
    half = [{"type": "http.request", "body": PHOTO[: len(PHOTO) // 2], "more_body": True},
            {"type": "http.disconnect"}]
    sent = _raw_put(app, team.headers["zhangwei"]["Authorization"], PHOTO_SHA, len(PHOTO), half)
    assert sent[0]["status"] == 422
    assert stored_files(settings) == []
    assert head(team, PHOTO_SHA).status_code == 404


def test_a_body_shorter_than_its_content_length_is_not_stored(app: FastAPI, team: FieldTeam,
                                                              settings: Settings):
    part = PHOTO[:1000]
    whole = [{"type": "http.request", "body": part, "more_body": False}]
    sent = _raw_put(app, team.headers["zhangwei"]["Authorization"], hashlib.sha256(part).hexdigest(),
                    len(PHOTO), whole)
    assert sent[0]["status"] == 422
    assert stored_files(settings) == []


def test_a_malformed_hash_in_the_address_is_a_request_problem(team: FieldTeam):
    assert problem_of(put(team, "ABC", PHOTO))["code"] == "request.invalid"


def test_uploads_need_a_signed_in_surveyor(team: FieldTeam):
    anonymous = team.client.put(f"/api/v1/evidence/{PHOTO_SHA}", content=PHOTO)
    assert problem_of(anonymous)["code"] == "auth.required"
    assert problem_of(put(team, PHOTO_SHA, PHOTO, as_user="wangfang"))["code"] == "auth.forbidden"


def test_a_surveyor_of_another_team_cannot_read_the_teams_evidence(team: FieldTeam, outsider):
    """R21: personal data stays with those who work the case; a reviewer reads it once a case cites it."""
    visit = home_visit()
    photo = visit.record.evidence[0].sha256
    put(team, photo, visit.files[photo])
    headers, _key = outsider
    reviewer = team.headers["wangfang"]
    for who in (headers, reviewer):  # an uploaded file that no case cites yet is the team's alone
        assert problem_of(team.client.get(f"/api/v1/evidence/{photo}", headers=who))["code"] == "request.not_found"
    assert team.submit(visit).json()["status"] == "merged"
    assert problem_of(team.client.get(f"/api/v1/evidence/{photo}", headers=headers))["code"] == "request.not_found"
    assert team.client.get(f"/api/v1/evidence/{photo}", headers=reviewer).content == visit.files[photo]
