"""Backups of a running server (R21, §4.4.5): a consistent copy of the database, then every evidence
file it cites, copied by hash and incrementally; and the restore.

Layout of a backup directory (a second disk, a mounted share):
  evidence/ab/abcdef...          every file once, shared by all snapshots, verified when copied
  snapshots/<UTC stamp>/         server.db (SQLite online backup API) or server.pgdump (pg_dump -Fc),
                                 manifest.json (database kind, evidence hashes, counts)
The database is copied first, in one consistent read; evidence files are never changed or deleted by
the server, so every file the copy cites is on disk (or in the object store) when it is copied after.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from glob import glob
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from sync_server.evidence.disk_store import BlobStore, fsync_dir
from sync_server.settings import Settings

BLOCK = 1024 * 1024


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError(f"{name} not found (install postgresql-client)")
    return found


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _cited_hashes(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT sha256 FROM evidence_files ORDER BY sha256"))]
    finally:
        engine.dispose()


def _copy_verified(read_from: Path, sha256: str, target: Path) -> None:
    """Copy a file, checking its hash on the way; the target appears only if it matches, durably."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    hasher = hashlib.sha256()
    with open(read_from, "rb") as source, open(tmp, "wb") as out:
        while block := source.read(BLOCK):
            hasher.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if hasher.hexdigest() != sha256:
        tmp.unlink()
        raise RuntimeError(f"evidence file {sha256} does not match its hash; not backed up")
    os.replace(tmp, target)
    fsync_dir(target.parent)


def backup(settings: Settings, to: Path, now: datetime | None = None) -> Path:
    """Make one snapshot in `to` while the server runs; returns the snapshot directory."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    snapshot = to / "snapshots" / stamp
    snapshot.mkdir(parents=True)
    url = settings.db_url
    if url.startswith("sqlite"):
        kind, copy = "sqlite", snapshot / "server.db"
        source = sqlite3.connect(make_url(url).database or "")
        copy_db = sqlite3.connect(copy)
        with copy_db:
            source.backup(copy_db)  # SQLite's online backup API: one consistent copy, writers go on
        source.close()
        copy_db.close()
        hashes = _cited_hashes(f"sqlite:///{copy}")
    else:
        kind, copy = "postgresql", snapshot / "server.pgdump"
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--file", str(copy), _libpq_url(url)],
                       check=True, capture_output=True)  # one snapshot transaction
        hashes = _cited_hashes(url)  # cited now ⊇ cited by the dump: files are never removed
    blobs = BlobStore(settings.evidence_dir, remote=None)
    copied = 0
    for sha in hashes:
        kept = to / "evidence" / sha[:2] / sha
        if kept.is_file():
            continue  # incremental: a file with this hash is this file
        _copy_verified(_local(settings, blobs, sha), sha, kept)
        copied += 1
    manifest = {"database": kind, "evidence": hashes, "copied": copied, "made_at": stamp}
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=1))
    fsync_dir(snapshot)
    return snapshot


def _local(settings: Settings, blobs: BlobStore, sha: str) -> Path:
    path = blobs.path_for(sha)
    if path.is_file() or not settings.s3_endpoint:
        return path
    from sync_server.app import object_store  # only when evidence lives in an object store

    return BlobStore(settings.evidence_dir, remote=object_store(settings)).local_path(sha)


def restore(snapshot: Path, settings: Settings) -> dict:
    """Restore a snapshot into an empty data dir (and, for PostgreSQL, an empty database)."""
    manifest = json.loads((snapshot / "manifest.json").read_text())
    backup_root = snapshot.parent.parent
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if manifest["database"] == "sqlite":
        target = settings.data_dir / "server.db"
        if target.exists():
            raise RuntimeError(f"{target} exists: restore into an empty data directory")
        shutil.copyfile(snapshot / "server.db", target)
    else:
        subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--dbname", _libpq_url(settings.db_url),
                        str(snapshot / "server.pgdump")], check=True, capture_output=True)
    blobs = BlobStore(settings.evidence_dir)
    for sha in manifest["evidence"]:
        _copy_verified(backup_root / "evidence" / sha[:2] / sha, sha, blobs.path_for(sha))
    return manifest
