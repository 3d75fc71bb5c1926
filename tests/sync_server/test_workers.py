"""Several worker processes on PostgreSQL (issue 9): `python -m sync_server --workers 3` upgrades the
schema once, then its workers share the uploads — chunks of one file land on different workers, one
at a time (flock), and the record merges once. The workers are forked after one import of the app, and
/metrics sums every worker's figures, whichever worker a scrape reaches."""
from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from field_app.sync.client import SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.protocol import PROTOCOL_HEADER, RecordStatus
from schemas.records import EvidenceKind, Role
from tests.sync_server.helpers import FieldTeam, home_visit, mp4_video
from tests.sync_server.postgres import PostgresCluster
from tests.sync_server.server_process import Server, wait_until


def _scraped(url: str) -> dict[tuple[str, frozenset], float]:
    """One scrape on a new connection (so that the scrapes reach different workers)."""
    with httpx.Client(base_url=url, timeout=30) as fresh:
        text = fresh.get("/metrics").text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_three_workers_on_postgresql_share_resumable_uploads_and_merge_once(postgres_cluster: PostgresCluster,
                                                                             tmp_path: Path):
    url = postgres_cluster.url(postgres_cluster.create_database(prefix="workers"))
    server = Server(tmp_path / "data", tmp_path / "server.log", env={"DATABASE_URL": url},
                    args=("--workers", "3")).start()
    try:
        assert server.proc is not None
        wait_until(lambda: len(_children(server.proc.pid)) >= 3, 60, "three workers")
        parent = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes()  # forked after the preload, not spawned
        assert {Path(f"/proc/{child}/cmdline").read_bytes() for child in _children(server.proc.pid)} == {parent}
        visit = home_visit("rec-workers-1")
        visit.add(mp4_video(3 * 1024 * 1024), EvidenceKind.VIDEO, Role.SCENE, "zhangwei", "video/mp4", "视频")
        with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=30) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            token = team.headers["zhangwei"]["Authorization"][7:]
            sizes = {sha: len(data) for sha, data in visit.files.items()}
            uploader = ResumableUploader(SyncClient(server.url, device_id="tablet-yb-01"), token,
                                         lambda sha, off, n: visit.files[sha][off:off + n], chunk_bytes=256 * 1024)
            try:
                for state in uploader.client.missing_evidence(token, list(sizes)):
                    uploader.upload(state.sha256, sizes[state.sha256], state.offset)
                assert uploader.client.post_record(token, team.seal(visit.record)).status == RecordStatus.MERGED
            finally:
                uploader.client.close()
            assert team.merged_ids() == ["rec-workers-1"]
            for sha, data in visit.files.items():
                got = http.get(f"/api/v1/evidence/{sha}", headers=team.headers["zhangwei"]).content
                assert hashlib.sha256(got).hexdigest() == sha and got == data
        merged = ("sync_records_ingested_total", frozenset({("outcome", "merged")}))
        totals = []
        for _ in range(12):  # each worker's answer sums all of them: the one merge, counters that never go back
            found = _scraped(server.url)
            assert found[merged] == 1
            assert found[("sync_in_progress", frozenset({("kind", "request")}))] >= 1  # this scrape at least
            totals.append(sum(v for (name, _), v in found.items() if name == "sync_http_requests_total"))
        assert totals == sorted(totals) and totals[0] > 10
    finally:
        server.stop()
