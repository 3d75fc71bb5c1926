"""Resumable uploads (issue 9, R10): chunks land at offsets the server has made durable, a wrong
offset is told the right one, a bad chunk or a whole file with the wrong hash is discarded with a
clear problem, and one question tells which of a record's files are missing."""
from __future__ import annotations

import base64
import hashlib
import os

import pytest
from fastapi import FastAPI

from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, problem_of

BODY = os.urandom(150_000)
SHA = hashlib.sha256(BODY).hexdigest()


def patch(team: FieldTeam, sha: str, offset: int, length: int, data: bytes, checksum: bool = True):
    headers = {**team.headers["zhangwei"], "Upload-Offset": str(offset), "Upload-Length": str(length)}
    if checksum:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()
    return team.client.patch(f"/api/v1/uploads/{sha}", content=data, headers=headers)


def offset_of(team: FieldTeam, sha: str) -> int | None:
    response = team.client.head(f"/api/v1/uploads/{sha}", headers=team.headers["zhangwei"])
    return int(response.headers["upload-offset"]) if response.status_code == 200 else None


def missing(team: FieldTeam, *shas: str) -> dict[str, int]:
    response = team.client.post("/api/v1/evidence/missing", json={"sha256": list(shas)},
                                headers=team.headers["zhangwei"])
    assert response.status_code == 200, response.text
    return {m["sha256"]: m["offset"] for m in response.json()["missing"]}


@pytest.mark.both_databases
def test_chunks_append_at_the_durable_offset_and_the_file_is_stored_once_whole(team: FieldTeam,
                                                                               settings: Settings):
    assert missing(team, SHA) == {SHA: 0} and offset_of(team, SHA) is None
    first = patch(team, SHA, 0, len(BODY), BODY[:60_000])
    assert first.json() == {"sha256": SHA, "offset": 60_000, "length": len(BODY), "complete": False}
    assert first.headers["upload-offset"] == "60000"
    assert offset_of(team, SHA) == 60_000 and missing(team, SHA) == {SHA: 60_000}
    stale = patch(team, SHA, 0, len(BODY), BODY[:60_000])  # a client that lost the answer
    assert problem_of(stale)["code"] == "upload.offset_mismatch" and problem_of(stale)["data"]["offset"] == 60_000
    done = patch(team, SHA, 60_000, len(BODY), BODY[60_000:])
    assert done.json()["complete"] is True and done.json()["offset"] == len(BODY)
    assert missing(team, SHA) == {}
    got = team.client.get(f"/api/v1/evidence/{SHA}", headers=team.headers["zhangwei"])
    assert got.content == BODY
    assert list((settings.evidence_dir / "partial").iterdir()) == []


@pytest.mark.parametrize("first_chunk", [100_000, len(BODY)], ids=["two chunks", "one chunk"])
def test_a_whole_file_that_does_not_hash_to_its_name_is_discarded(team: FieldTeam, settings: Settings,
                                                                   first_chunk: int):
    """Two chunks: the file is hashed again at the end; one chunk: the hash taken as it was written."""
    wrong = hashlib.sha256(b"another file").hexdigest()
    response = patch(team, wrong, 0, len(BODY), BODY[:first_chunk])
    if first_chunk < len(BODY):
        response = patch(team, wrong, first_chunk, len(BODY), BODY[first_chunk:])
    problem = problem_of(response)
    assert (problem["code"], problem["status"]) == ("evidence.hash_mismatch", 422)
    assert "已丢弃" in problem["detail"] and problem["data"]["actual"] == SHA
    assert offset_of(team, wrong) is None and missing(team, wrong) == {wrong: 0}
    assert not (settings.evidence_dir / wrong[:2] / wrong).exists()


def test_a_chunk_that_fails_its_checksum_is_dropped_and_the_offset_stays(team: FieldTeam):
    patch(team, SHA, 0, len(BODY), BODY[:50_000])
    headers = {**team.headers["zhangwei"], "Upload-Offset": "50000", "Upload-Length": str(len(BODY)),
               "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(b"x").digest()).decode()}
    response = team.client.patch(f"/api/v1/uploads/{SHA}", content=BODY[50_000:90_000], headers=headers)
    assert problem_of(response)["code"] == "upload.checksum_mismatch"
    assert offset_of(team, SHA) == 50_000
    assert patch(team, SHA, 50_000, len(BODY), BODY[50_000:]).json()["complete"] is True


def test_bytes_past_the_recorded_offset_are_cut_away_before_appending(team: FieldTeam, settings: Settings):
    """A server killed after writing a chunk but before recording its offset leaves extra bytes."""
    patch(team, SHA, 0, len(BODY), BODY[:40_000])
    part = settings.evidence_dir / "partial" / f"{SHA}.part"
    with open(part, "ab") as out:
        out.write(b"half of a chunk whose offset was never recorded")
    assert offset_of(team, SHA) == 40_000
    assert patch(team, SHA, 40_000, len(BODY), BODY[40_000:]).json()["complete"] is True
    got = team.client.get(f"/api/v1/evidence/{SHA}", headers=team.headers["zhangwei"])
    assert got.content == BODY


def test_a_partial_upload_can_be_discarded_and_a_length_change_is_refused(team: FieldTeam):
    patch(team, SHA, 0, len(BODY), BODY[:10_000])
    assert problem_of(patch(team, SHA, 10_000, len(BODY) + 1, BODY[10_000:20_000]))["code"] == "request.invalid"
    assert team.client.delete(f"/api/v1/uploads/{SHA}", headers=team.headers["zhangwei"]).status_code == 204
    assert offset_of(team, SHA) is None


def test_a_file_stored_but_not_yet_claimed_is_sent_again_and_then_held(team: FieldTeam, app: FastAPI):
    """A server killed between storing the file and recording the team's claim: the store alone tells
    nobody the file exists (issue 5 §3), so the team sends it again; the bytes are hashed, the one stored
    copy is kept, and the team's claim is recorded."""
    blobs = app.state.services.blobs
    tmp = blobs.tmp / "stray"
    tmp.write_bytes(BODY)
    blobs.place(tmp, SHA)
    assert missing(team, SHA) == {SHA: 0}
    assert team.client.head(f"/api/v1/evidence/{SHA}", headers=team.headers["zhangwei"]).status_code == 404
    assert patch(team, SHA, 0, len(BODY), BODY).json()["complete"] is True
    assert missing(team, SHA) == {}
    assert team.client.head(f"/api/v1/evidence/{SHA}", headers=team.headers["zhangwei"]).status_code == 200


def test_uploads_need_a_surveyor_and_the_missing_query_is_bounded(team: FieldTeam):
    assert team.client.patch(f"/api/v1/uploads/{SHA}", content=b"x",
                             headers={"Upload-Offset": "0", "Upload-Length": "1"}).status_code == 401
    too_many = team.client.post("/api/v1/evidence/missing", json={"sha256": [SHA] * 501},
                                headers=team.headers["zhangwei"])
    assert problem_of(too_many)["code"] == "request.invalid"
