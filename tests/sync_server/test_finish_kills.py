"""A server killed (SIGKILL, by itself at an armed `kill_points` point) inside the finish of a resumable
upload (issue 19, R10): after the file is sniffed, after it is placed, after the owner's claim is
recorded, after the state is dropped. Restarted on the same data folder, the tablet asks what is missing
and resumes: never an offset for a part that is gone, never `evidence.hash_mismatch`, and the record
merges with every file byte-equal. Real server process, real sockets, real files."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from field_app.sync.client import ServerUnreachable
from schemas.protocol import PROTOCOL_HEADER, RecordStatus
from tests.sync_server.helpers import FieldTeam
from tests.sync_server.server_process import Server, wait_until
from tests.sync_server.test_resume_through_cuts import Tablet, _assert_all_there, _visit

CHUNK = 128 * 1024
POINTS = ["finish-sniffed", "finish-placed", "finish-recorded", "finish-discarded"]


@pytest.fixture(params=POINTS)
def armed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Server]]:
    process = Server(tmp_path / "data", tmp_path / "server.log",
                     env={"SERVER_TEST_KILL_AT": request.param}).start()
    yield request.param, process
    process.stop()


def _partial(server: Server, sha: str) -> dict[str, bool]:
    root = server.data_dir / "evidence" / "partial"
    return {suffix: any(root.glob(f"{sha}.*.{suffix}")) for suffix in ("part", "state")}


def test_a_kill_at_each_point_of_the_finish_resumes_without_a_hash_mismatch_r10(armed):
    point, server = armed
    visit = _visit(1, 3 * CHUNK + 5000)  # the recording goes up in four chunks
    audio = max(visit.files, key=lambda sha: len(visit.files[sha]))
    data = visit.files[audio]
    with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
        team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
        token = team.headers["zhangwei"]["Authorization"][7:]
        tablet = Tablet(server.url, token, visit.files, CHUNK)
        try:
            offset = 0
            while offset < 3 * CHUNK:  # every chunk but the last, each answered with its durable offset
                offset = tablet.client.append_chunk(token, audio, offset, len(data),
                                                    data[offset:offset + CHUNK]).offset
            with pytest.raises(ServerUnreachable):  # the last chunk: the server dies inside its finish
                tablet.client.append_chunk(token, audio, offset, len(data), data[offset:])
            assert server.proc is not None
            assert wait_until(lambda: server.proc.poll() is not None, 30, "the kill") and server.proc.returncode == -9
            stored = (server.data_dir / "evidence" / audio[:2] / audio).is_file()
            on_disk = _partial(server, audio)
            expected = {"finish-sniffed": (False, {"part": True, "state": True}),  # where the kill left things
                        "finish-placed": (True, {"part": False, "state": True}),
                        "finish-recorded": (True, {"part": False, "state": True}),
                        "finish-discarded": (True, {"part": False, "state": False})}[point]
            assert (stored, on_disk) == expected

            server.env.pop("SERVER_TEST_KILL_AT")
            server.start(seed=False)
            missing = {m.sha256: m for m in tablet.client.missing_evidence(token, list(visit.files))}
            if point == "finish-sniffed":  # the part is whole and its state stands: resume from the offset
                assert missing[audio].offset == 3 * CHUNK
            elif point == "finish-placed":  # placed, not yet claimed: no offset for the part that is gone
                assert missing[audio].offset == 0
            else:  # claimed before the state went: the owner holds it
                assert audio not in missing
            sent_before = tablet.uploader.bytes_sent
            assert tablet.sync(team, visit) == RecordStatus.MERGED  # a hash mismatch would raise here
            resent = tablet.uploader.bytes_sent - sent_before - sum(
                len(d) for sha, d in visit.files.items() if sha != audio and sha in missing)
            assert resent == {"finish-sniffed": len(data) - 3 * CHUNK, "finish-placed": len(data)}.get(point, 0)
        finally:
            tablet.client.close()
        assert hashlib.sha256((server.data_dir / "evidence" / audio[:2] / audio).read_bytes()).hexdigest() == audio
        assert _partial(server, audio) == {"part": False, "state": False} or point == "finish-recorded"
        _assert_all_there(team, server, [visit])
