"""Disposal with the evidence in an object store (R35, issue 17), against a real Ceph RADOS Gateway: after
the disposal the bucket holds no original and no display copy of the case, the server's disk no cached
copy or export, and the certificate names every destroyed file."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.evidence.s3_store import S3Evidence
from sync_server.ops import checking
from sync_server.settings import Settings
from tests.sync_server.ceph import CephRgw
from tests.sync_server.disposal_helpers import API, appraise, build_case, dispose_a_year_later, files_holding
from tests.sync_server.helpers import FieldTeam, api_client, m4a_audio


@pytest.fixture
def s3_app(settings: Settings, ceph: CephRgw, clock) -> Iterator[FastAPI]:
    assert ceph.location is not None
    loc = ceph.location
    app = create_app(settings.replace(s3_endpoint=loc.endpoint, s3_bucket="evidence-disposal",
                             s3_access_key=loc.access_key, s3_secret_key=loc.secret_key), clock=clock)
    yield app
    app.state.services.engine.dispose()


def _objects(store: S3Evidence) -> list[str]:
    keys: list[str] = []
    for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.location.bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


def test_nothing_of_a_disposed_case_is_left_in_the_bucket_or_on_disk_r35(s3_app: FastAPI, team: FieldTeam,
                                                                           settings: Settings, clock):
    with api_client(s3_app) as client:
        team.client = client
        files = build_case(team, s3_app)
        store: S3Evidence = s3_app.state.services.blobs.remote
        before = _objects(store)
        uploaded = {sha for sha in files if any(k.endswith(sha) for k in before)}
        assert len(uploaded) >= len(files) - 7  # all but the seed's intake scans (stored before S3) went up
        assert any(k.startswith("derived/") for k in before)  # the dossier's PDFs made display copies there
        data = m4a_audio(77_777)  # a file no record of the case cites: in the bucket only, kept
        sha = hashlib.sha256(data).hexdigest()
        team.upload({sha: data})
        assert sha not in files
        appraise(team)
        done = dispose_a_year_later(team, clock)
        assert done["files_removed"] == len(files)
        left = [k for k in _objects(store) if any(sha in k for sha in files)]
        assert left == []
        assert not [k for k in _objects(store) if k.startswith("derived/")]
        assert files_holding(settings.data_dir, set(files)) == []  # no cache, local original or export
        body = client.get(f"{API}/disposal/certificate", headers=team.headers["wangfang"]).json()["certificate"]
        assert {f["sha256"] for f in body["destroyed_files"]} == set(files)
    services = s3_app.state.services
    result = checking.check(services.settings, services.blobs)  # reads it back from the bucket, whole
    assert result["files"]["ok"] and result["files"]["checked"] > 0, result["files"]
    store.delete(sha)
    [lost] = checking.check(services.settings, services.blobs)["files"]["damaged"]
    assert lost["sha256"] == sha and lost["problem"] == "missing"  # and the destroyed ones are not expected
