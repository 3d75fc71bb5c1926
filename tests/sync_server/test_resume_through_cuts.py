"""Uploads that really resume (issue 9, R10): through a proxy that cuts connections at random points,
across a server killed with SIGKILL mid-chunk and right after a chunk, and when the answer to a
committed record is lost. Afterwards every record is merged once, every file is byte-equal, and no
more than one chunk per interruption was sent twice. Real server process, real sockets."""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from field_app.sync.client import ServerUnreachable, SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.protocol import PROTOCOL_HEADER, RecordStatus
from schemas.records import EvidenceKind, Role
from tests.sync_server.cutting_proxy import CuttingProxy
from tests.sync_server.helpers import FieldTeam, Visit, home_visit, m4a_audio
from tests.sync_server.server_process import Server, wait_until


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    process = Server(tmp_path / "data", tmp_path / "server.log").start()
    yield process
    process.stop()


@pytest.fixture
def team(server: Server) -> Iterator[FieldTeam]:
    with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
        yield FieldTeam.sign_in(http)  # type: ignore[arg-type]


def _visit(n: int, media_bytes: int) -> Visit:
    visit = home_visit(f"rec-cut-{n:04d}")
    visit.add(m4a_audio(media_bytes), EvidenceKind.AUDIO, Role.SCENE, "zhangwei", "audio/mp4", "入户录音")
    return visit


class Tablet:
    """The tablet's sync steps for one record: ask what is missing, send it resumably, post the record
    (again after a cut: the server answers already_merged)."""

    def __init__(self, url: str, token: str, files: dict[str, bytes], chunk: int,
                 device: str = "tablet-yb-01") -> None:
        self.client = SyncClient(url, timeout=httpx.Timeout(20.0, connect=3.0), device_id=device)
        self.token, self.files = token, files
        self.uploader = ResumableUploader(self.client, token, self.read_range, chunk_bytes=chunk,
                                          cut_retries=60, sleep=lambda s: time.sleep(min(s, 0.3)),
                                          rng=random.Random(5))
        self.on_chunk = lambda sha, sent, size: None

    def read_range(self, sha: str, offset: int, length: int) -> bytes:
        return self.files[sha][offset:offset + length]

    def _retry(self, step):  # type: ignore[no-untyped-def]
        for _ in range(60):
            try:
                return step()
            except ServerUnreachable:
                time.sleep(0.3)  # link down or server restarting: try again, as the outbox does next round
        raise AssertionError("the server never came back")

    def sync(self, team: FieldTeam, visit: Visit) -> RecordStatus:
        sizes = {sha: len(data) for sha, data in visit.files.items()}
        missing = self._retry(lambda: self.client.missing_evidence(self.token, list(sizes)))
        for state in missing:
            self.uploader.upload(state.sha256, sizes[state.sha256], state.offset, self.on_chunk)
        sealed = team.seal(visit.record)
        return self._retry(lambda: self.client.post_record(self.token, sealed)).status


def _assert_all_there(team: FieldTeam, server: Server, visits: list[Visit]) -> None:
    ids = team.merged_ids()
    for visit in visits:
        assert ids.count(visit.record.id) == 1
    with server.api(team.headers["zhangwei"]["Authorization"][7:], device="tablet-yb-01") as http:
        for visit in visits:
            for sha, data in visit.files.items():
                assert http.get(f"/evidence/{sha}").content == data


def test_connections_cut_at_random_points_lose_nothing_and_resend_at_most_a_chunk_each_r10(server, team):
    rng = random.Random(9)
    proxy = CuttingProxy(server.port, budget=lambda: rng.randint(20_000, 900_000))
    visits = [_visit(n, 1_500_000) for n in range(3)]
    chunk = 256 * 1024
    tablet = Tablet(proxy.url, team.headers["zhangwei"]["Authorization"][7:],
                    {sha: data for v in visits for sha, data in v.files.items()}, chunk)
    try:
        for visit in visits:
            assert tablet.sync(team, visit) in (RecordStatus.MERGED, RecordStatus.ALREADY_MERGED)
    finally:
        proxy.close()
        tablet.client.close()
    total = sum(len(d) for v in visits for d in v.files.values())
    assert proxy.cuts >= 5  # the link really was cut, several times
    assert tablet.uploader.bytes_sent - total <= proxy.cuts * chunk
    _assert_all_there(team, server, visits)


def test_a_server_killed_mid_chunk_and_after_a_chunk_resumes_from_its_durable_offset_r10(server, team):
    chunk = 512 * 1024
    visit = _visit(10, 4 * 1024 * 1024)
    big = max(visit.files, key=lambda sha: len(visit.files[sha]))
    killed: list[str] = []
    forwarded = [0]

    def restart(why: str) -> None:
        killed.append(why)
        server.kill()
        server.start(seed=False)

    def on_upstream(n: int) -> None:  # in the proxy's thread: kill when 1.3 MiB of bodies went by
        forwarded[0] += n
        if forwarded[0] > 1_300_000 and not killed:
            threading.Thread(target=restart, args=("mid-chunk",)).start()

    proxy = CuttingProxy(server.port, on_upstream=on_upstream)
    tablet = Tablet(proxy.url, team.headers["zhangwei"]["Authorization"][7:], visit.files, chunk)

    def after_chunk(sha: str, sent: int, size: int) -> None:  # the reply to chunk 6 has arrived
        if sha == big and sent >= 6 * chunk and killed == ["mid-chunk"]:
            restart("after a chunk")
    tablet.on_chunk = after_chunk
    try:
        assert tablet.sync(team, visit) == RecordStatus.MERGED
    finally:
        proxy.close()
        tablet.client.close()
    wait_until(lambda: len(killed) == 2, 60, "both kills")
    total = sum(len(d) for d in visit.files.values())
    headers_allowance = 64 * 1024  # request lines and headers of a few dozen requests
    assert forwarded[0] - total <= 2 * chunk + headers_allowance  # what really reached the server
    _assert_all_there(team, server, [visit])


def test_a_record_whose_answer_is_lost_after_the_commit_is_merged_once_r10(server, team):
    proxy = CuttingProxy(server.port)
    visit = _visit(20, 100_000)
    tablet = Tablet(proxy.url, team.headers["zhangwei"]["Authorization"][7:], visit.files, 256 * 1024)
    token = tablet.token
    for state in tablet.client.missing_evidence(token, list(visit.files)):
        tablet.uploader.upload(state.sha256, len(visit.files[state.sha256]), state.offset)
    sealed = team.seal(visit.record)
    proxy.swallow_replies = True
    with pytest.raises(ServerUnreachable):
        tablet.client.post_record(token, sealed)  # the server merged it; the tablet never heard
    assert team.merged_ids().count(visit.record.id) == 1
    proxy.swallow_replies = False
    assert tablet.client.post_record(token, sealed).status == RecordStatus.ALREADY_MERGED
    proxy.close()
    tablet.client.close()
    _assert_all_there(team, server, [visit])


