"""Evidence in an S3-compatible object store (issue 9, R10), against a real Ceph RADOS Gateway the
test starts (tests/sync_server/ceph.py): files go up byte for byte under their hash, whole or
resumably, a record citing them merges, and they read back through the API; nothing stays on the
server's disk but its cache."""
from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.evidence.disk_store import BlobStore
from sync_server.evidence.s3_store import S3Evidence
from sync_server.settings import Settings
from tests.sync_server.ceph import CephRgw
from tests.sync_server.helpers import FieldTeam, api_client, home_visit


@pytest.fixture
def store(ceph: CephRgw) -> S3Evidence:
    assert ceph.location is not None
    s3 = S3Evidence(ceph.location)
    s3.ensure_bucket()
    return s3


def test_a_file_goes_up_whole_and_comes_back_byte_equal(store: S3Evidence, tmp_path: Path):
    data = os.urandom(20 * 1024 * 1024 + 123)  # above the multipart threshold
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "upload"
    source.write_bytes(data)
    assert not store.has(sha)
    store.put_file(source, sha)
    assert store.size(sha) == len(data) and sha in store.stored()
    store.download(sha, tmp_path / "back")
    assert (tmp_path / "back").read_bytes() == data


def test_disposal_removes_a_file_from_the_object_store_and_its_local_copy(store: S3Evidence, tmp_path: Path):
    """R35: a disposed file leaves the bucket too (not only a local file, which an S3 store does not have)."""
    blobs = BlobStore(tmp_path / "evidence", remote=store)
    data = os.urandom(64 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "upload"
    source.write_bytes(data)
    blobs.place(source, sha)
    assert not blobs.path_for(sha).exists() and blobs.local_path(sha).read_bytes() == data  # cached once read
    assert blobs.delete(sha) is True
    assert not store.has(sha) and not blobs.has(sha)
    assert not (tmp_path / "evidence" / "cache" / sha[:2] / sha).exists()
    assert blobs.delete(sha) is False


@pytest.fixture
def s3_app(settings: Settings, ceph: CephRgw, clock) -> Iterator[FastAPI]:
    assert ceph.location is not None
    loc = ceph.location
    app = create_app(settings.replace(s3_endpoint=loc.endpoint, s3_bucket="evidence-app",
                             s3_access_key=loc.access_key, s3_secret_key=loc.secret_key), clock=clock)
    yield app
    app.state.services.engine.dispose()


def test_the_server_keeps_evidence_in_the_object_store_and_merges_records_citing_it(
        s3_app: FastAPI, team: FieldTeam, settings: Settings):
    with api_client(s3_app) as client:
        team.client = client
        visit = home_visit("rec-s3-0001")
        [(first_sha, first), *rest] = list(visit.files.items())
        headers = {**team.headers["zhangwei"], "Upload-Length": str(len(first))}
        half = len(first) // 2
        for offset, piece in ((0, first[:half]), (half, first[half:])):  # resumably, in two chunks
            digest = base64.b64encode(hashlib.sha256(piece).digest()).decode()
            response = client.patch(f"/api/v1/uploads/{first_sha}", content=piece,
                                    headers={**headers, "Upload-Offset": str(offset),
                                             "Upload-Checksum": f"sha256 {digest}"})
            assert response.status_code == 200, response.text
        assert response.json()["complete"] is True
        cached = settings.evidence_dir / "cache" / first_sha[:2] / first_sha
        assert not cached.exists()  # what it is was read before it went up, not from a copy fetched back
        team.upload(dict(rest))  # whole-file PUTs
        assert team.post(team.seal(visit.record)).status_code == 200
        assert team.merged_ids() == ["rec-s3-0001"]
        remote: S3Evidence = s3_app.state.services.blobs.remote
        assert set(visit.files) <= remote.stored()
        local = [sha for sha in visit.files if (settings.evidence_dir / sha[:2] / sha).exists()]
        assert local == []  # only the object store holds them (the seed's scans stay where they were)
        for sha, data in visit.files.items():
            got = client.get(f"/api/v1/evidence/{sha}", headers=team.headers["zhangwei"])
            assert got.status_code == 200 and got.content == data


def test_display_copies_live_in_the_object_store_beside_the_evidence_and_are_made_once(
        s3_app: FastAPI, team: FieldTeam):
    """A photo's watermarked copy goes to `derived/` in the bucket (never `evidence/`); a server whose
    disk cache is empty (another server, a new disk) fetches it instead of decoding the original again."""
    import shutil

    from schemas.records import EvidenceKind
    from tests.sync_server.console_client import console_login

    with api_client(s3_app) as client:
        team.client = client
        visit = home_visit("rec-s3-display")
        assert team.submit(visit).json()["status"] == "merged"
        console_login(client, "wangfang")
        sha = next(e.sha256 for e in visit.record.evidence if e.kind == EvidenceKind.PHOTO)
        url = f"/console/evidence/{sha}/preview?record={visit.record.id}"
        first = client.get(url)
        assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
        services = s3_app.state.services
        remote: S3Evidence = services.blobs.remote
        listed = remote.client.list_objects_v2(Bucket=remote.location.bucket, Prefix="derived/")
        assert {item["Key"].split("/")[2] for item in listed.get("Contents", [])} == {"display", "thumb"}
        assert all(services.blobs.is_address(key) for key in remote.stored())  # evidence/ holds evidence only
        shutil.rmtree(services.display.root)
        assert client.get(url).content == first.content
        assert client.get(f"/console/evidence/{sha}/thumb?record={visit.record.id}").status_code == 200
        assert services.display.made == 1
        assert client.get(f"/console/evidence/{sha}").content == visit.files[sha]
