"""Small files in one request (issue 9, `POST /evidence/batch`): each member hashed, type-recorded and
claimed as a single upload would be, durable before the answer; a corrupt member refused by name while
the others are stored; limits and the token checked before a byte of the body is read; a body that
stops short stores nothing."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from schemas.protocol import EVIDENCE_BATCH, MAX_BATCH_FILES, VISIT_BUNDLE_BYTES, batch_header
from sync_server.settings import Settings
from sync_server.tables import EvidenceClaim, EvidenceType
from tests.sync_server.helpers import FieldTeam, home_visit, problem_of, signature_png
from tests.sync_server.server_process import Server, read_response_head, wait_until

URL = "/api/v1/evidence/batch"


def _members(*datas: bytes) -> list[tuple[str, bytes]]:
    return [(hashlib.sha256(d).hexdigest(), d) for d in datas]


def post_batch(team: FieldTeam, members: list[tuple[str, bytes]], headers: dict[str, str] | None = None):
    header = batch_header([(sha, len(data)) for sha, data in members])
    return team.client.post(URL, content=b"".join(d for _, d in members),
                            headers={**(team.headers["zhangwei"] if headers is None else headers),
                                     EVIDENCE_BATCH: header, "Content-Type": "application/octet-stream"})


def _stored(settings: Settings, sha: str) -> bytes | None:
    path = settings.evidence_dir / sha[:2] / sha
    return path.read_bytes() if path.is_file() else None


@pytest.mark.both_databases
def test_a_records_signatures_go_in_one_request_and_the_record_then_merges(team: FieldTeam, settings: Settings,
                                                                           app: FastAPI):
    visit = home_visit("rec-batch-0001")
    small = [(sha, data) for sha, data in visit.files.items() if len(data) < 256 * 1024]
    assert len(small) >= 3
    response = post_batch(team, small)
    assert response.status_code == 200, response.text
    assert [(f["sha256"], f["stored"], f["created"]) for f in response.json()["files"]] == \
        [(sha, True, True) for sha, _ in small]
    assert all(_stored(settings, sha) == data for sha, data in small)
    with app.state.services.session() as session:  # typed and claimed exactly as a single upload would be
        assert {session.get(EvidenceType, sha).media_type for sha, _ in small} == {"image/png", "image/jpeg"}  # type: ignore[union-attr]
        assert all(session.get(EvidenceClaim, (sha, "team:team-yb-01")) for sha, _ in small)
    again = post_batch(team, small)  # sent again (an answer lost): stored, no new claim
    assert [f["created"] for f in again.json()["files"]] == [False] * len(small)
    team.upload({sha: data for sha, data in visit.files.items() if (sha, data) not in small})
    assert team.submit(visit).status_code == 200
    assert list(settings.evidence_dir.joinpath("tmp").iterdir()) == []


def test_a_corrupt_member_is_refused_by_name_and_the_others_are_stored(team: FieldTeam, settings: Settings):
    good, other = signature_png("甲"), signature_png("乙")
    forged = hashlib.sha256(b"what the tablet meant to send").hexdigest()
    members = [(hashlib.sha256(good).hexdigest(), good), (forged, other)]
    response = post_batch(team, members)
    assert response.status_code == 200
    first, second = response.json()["files"]
    assert first["stored"] is True and _stored(settings, first["sha256"]) == good
    assert second == {"sha256": forged, "size": len(other), "stored": False, "created": False,
                      "code": "evidence.hash_mismatch", "detail": f"内容的 SHA-256 为 {hashlib.sha256(other).hexdigest()}"}
    assert _stored(settings, forged) is None and _stored(settings, hashlib.sha256(other).hexdigest()) is None
    assert list(settings.evidence_dir.joinpath("tmp").iterdir()) == []


def test_another_team_must_send_the_bytes_and_cannot_claim_a_file_by_name(team: FieldTeam, outsider, app: FastAPI):
    headers, _key = outsider
    data = signature_png("丙")
    sha = hashlib.sha256(data).hexdigest()
    assert post_batch(team, [(sha, data)]).json()["files"][0]["created"] is True
    wrong = post_batch(team, [(sha, b"\x89PNG\r\n\x1a\n not the file")], headers=headers).json()["files"][0]
    assert wrong["stored"] is False and wrong["code"] == "evidence.hash_mismatch"
    with app.state.services.session() as session:
        assert session.get(EvidenceClaim, (sha, "team:team-yb-02")) is None
    right = post_batch(team, [(sha, data)], headers=headers).json()["files"][0]
    assert right["stored"] is True and right["created"] is True  # told nothing it did not prove
    with app.state.services.session() as session:
        assert session.get(EvidenceClaim, (sha, "team:team-yb-02")) is not None


def test_the_member_list_must_match_the_body_and_name_each_file_once(team: FieldTeam):
    data = signature_png("丁")
    sha = hashlib.sha256(data).hexdigest()
    twice = post_batch(team, [(sha, data), (sha, data)])
    assert problem_of(twice)["code"] == "upload.batch_mismatch"
    longer = team.client.post(URL, content=data + b"extra", headers={
        **team.headers["zhangwei"], EVIDENCE_BATCH: batch_header([(sha, len(data))])})
    assert problem_of(longer)["code"] == "upload.batch_mismatch"
    garbled = team.client.post(URL, content=data, headers={**team.headers["zhangwei"], EVIDENCE_BATCH: "x:1"})
    assert problem_of(garbled)["code"] == "request.invalid"
    reviewer = post_batch(team, [(sha, data)], headers=team.headers["wangfang"])
    assert reviewer.status_code == 403


# -- on a real server process: what happens before and while the body arrives ------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("batch")
    process = Server(root / "data", root / "server.log").start()
    yield process
    process.stop()


def _head(headers: dict[str, str]) -> bytes:
    lines = [f"POST {URL} HTTP/1.1", "Host: 127.0.0.1", "X-Protocol-Version: 1",
             "Content-Type: application/octet-stream", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _signed_in(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Device-Id": "tablet-zhangwei"}


def _members_header(count: int, size: int) -> str:
    return batch_header([(hashlib.sha256(str(i).encode()).hexdigest(), size) for i in range(count)])


def test_oversize_batches_are_refused_before_the_body_is_read(server: Server):
    token = server.login()
    too_many = _members_header(MAX_BATCH_FILES + 1, 10)
    too_big = _members_header(2, VISIT_BUNDLE_BYTES // 2 + 1)  # the server default: a whole visit
    for header, length in ((too_many, (MAX_BATCH_FILES + 1) * 10), (too_big, VISIT_BUNDLE_BYTES + 2)):
        with server.connect() as sock:  # the head only: an answer now proves the body was never awaited
            sock.sendall(_head({**_signed_in(token), EVIDENCE_BATCH: header, "Content-Length": str(length)}))
            status, text = read_response_head(sock)
        assert status == 413 and '"evidence.too_large"' in text, text


def test_an_anonymous_batch_is_refused_before_the_body_is_read(server: Server):
    header = _members_header(2, 4000)
    with server.connect() as sock:  # under the anonymous byte budget, so it is the token that refuses
        sock.sendall(_head({EVIDENCE_BATCH: header, "Content-Length": "8000"}))
        status, text = read_response_head(sock)
    assert status == 401 and '"auth.required"' in text
    with server.connect() as sock:
        sock.sendall(_head({"Authorization": "Bearer not-a-token", "X-Device-Id": "tablet-zhangwei",
                            EVIDENCE_BATCH: header, "Content-Length": "8000"}))
        status, text = read_response_head(sock)
    assert status == 401 and '"auth.invalid"' in text


def test_a_body_cut_short_leaves_nothing_stored_or_half_written(server: Server):
    token = server.login()
    members = _members(signature_png("戊"), signature_png("己"), os.urandom(50_000))
    body = b"".join(d for _, d in members)
    header = batch_header([(sha, len(d)) for sha, d in members])
    evidence = server.data_dir / "evidence"
    with server.connect() as sock:  # the first member whole, half the second, then the connection ends
        sock.sendall(_head({**_signed_in(token), EVIDENCE_BATCH: header,
                            "Content-Length": str(len(body))}))
        sock.sendall(body[:len(members[0][1]) + len(members[1][1]) // 2])
        wait_until(lambda: any((evidence / "tmp").iterdir()), 30, "the server to be writing the batch")
    wait_until(lambda: not any((evidence / "tmp").iterdir()), 30, "the batch's temporary files to be removed")
    assert all(not (evidence / sha[:2] / sha).exists() for sha, _ in members)
    with server.api(token, device="tablet-zhangwei") as http:  # the same batch whole is then stored
        answer = http.post("/evidence/batch", content=body, headers={EVIDENCE_BATCH: header})
        assert [f["stored"] for f in answer.json()["files"]] == [True, True, True]
        assert http.post("/evidence/missing", json={"sha256": [s for s, _ in members]}).json() == {"missing": []}
