"""Faults of the server itself: a full disk (a REAL 2 MiB tmpfs filled to ENOSPC) and a bug in a route.
Each is a stable Chinese problem, nothing half-stored, nothing internal shown (R10 evidence kept whole)."""
from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI

from schemas.protocol import API_PREFIX, PROTOCOL_HEADER
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.disk import TinyDisk, tiny_disk
from tests.sync_server.helpers import CREDENTIALS, PHOTOS, problem_of
from tests.sync_server.testclient import TestClient

PHOTO = (PHOTOS / "mobile" / "jolla.jpg").read_bytes()  # 811 KB: fails part-way on a nearly full disk
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()
STORAGE_FULL_TITLE = "服务器存储空间不足，文件未保存，请稍后重试"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[TinyDisk]:
    with tiny_disk(tmp_path / "server-disk") as mounted:
        yield mounted


@contextmanager
def _app(settings: Settings, clock) -> Iterator[TestClient]:
    app = create_app(settings, clock=clock)
    with TestClient(app, headers={PROTOCOL_HEADER: "1"}) as client:
        yield client
    app.state.services.engine.dispose()


@pytest.fixture
def evidence_on_disk(disk: TinyDisk, data_dir: Path, clock) -> Iterator[TestClient]:
    """The server's evidence dir on the tiny disk; its database elsewhere (the seeded copy)."""
    settings = Settings(data_dir=disk.root, database_url=f"sqlite:///{data_dir / 'server.db'}",
                        max_evidence_bytes=4_000_000)
    with _app(settings, clock) as client:
        yield client


@pytest.fixture
def headers(seeded_template) -> dict[str, str]:
    return seeded_template.team.headers["zhangwei"]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "evidence").rglob("*") if p.is_file())


def _put(client: TestClient, headers: dict[str, str], body: bytes = PHOTO, sha: str = PHOTO_SHA):
    return client.put(f"{API_PREFIX}/evidence/{sha}", content=body, headers=headers)


@pytest.mark.parametrize("room", [0, len(PHOTO) // 2], ids=["no-room", "half-the-file"])
def test_a_full_evidence_disk_is_storage_full_stores_nothing_and_a_retry_later_works_r10(
        evidence_on_disk: TestClient, headers, disk: TinyDisk, room: int):
    disk.leave(room)
    response = _put(evidence_on_disk, headers)
    problem = problem_of(response)
    assert response.status_code == 507
    assert (problem["code"], problem["title"]) == ("storage.full", STORAGE_FULL_TITLE)
    assert _files(disk.root) == []  # no temporary file, nothing under the hash
    assert evidence_on_disk.head(f"{API_PREFIX}/evidence/{PHOTO_SHA}", headers=headers).status_code == 404

    disk.free()
    again = _put(evidence_on_disk, headers)
    assert again.status_code == 200 and again.json()["created"] is True
    assert _files(disk.root) == [disk.root / "evidence" / PHOTO_SHA[:2] / PHOTO_SHA]


def test_a_full_database_disk_is_storage_full_too(disk: TinyDisk, data_dir: Path, clock):
    for db_file in data_dir.glob("server.db*"):
        shutil.copy(db_file, disk.root / db_file.name)
    with _app(Settings(data_dir=disk.root), clock) as client:
        disk.fill()
        response = client.post(f"{API_PREFIX}/auth/device-login",  # a sign-in writes a token
                               json={"username": "zhangwei", "pin": CREDENTIALS["zhangwei"].pin,
                                     "device_id": "tablet-x"})
        problem = problem_of(response)
        assert response.status_code == 507 and problem["code"] == "storage.full"
        assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_a_bug_in_a_route_is_a_chinese_server_error_without_internals(app: FastAPI, caplog):
    @app.get(f"{API_PREFIX}/explode")
    def explode() -> None:
        raise RuntimeError("secret internal state: /srv/data password=hunter2")

    with caplog.at_level(logging.ERROR, logger="sync_server.errors"), \
            TestClient(app) as client:  # it would re-raise anything escaping the app: nothing does
        response = client.get(f"{API_PREFIX}/explode")
    problem = problem_of(response)
    assert response.status_code == 500
    assert (problem["code"], problem["title"]) == ("server.error", "服务器内部错误，请稍后重试")
    for leak in ("hunter2", "RuntimeError", "Traceback", "/srv/data"):
        assert leak not in response.text
    incident = problem["detail"].removeprefix("错误编号 ")
    [logged] = [r for r in caplog.records if incident in r.getMessage()]
    assert logged.exc_info and "hunter2" in str(logged.exc_info[1])  # the operator sees it, in the log
