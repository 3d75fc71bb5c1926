"""Backups of a running server (R21, §4.4.5): a consistent copy of the database, then every evidence
file it cites, copied by hash and incrementally; and the restore.

Layout of a backup directory (a second disk, a mounted share):
  evidence/ab/abcdef...          every file once, shared by all snapshots, verified when copied
  snapshots/<UTC stamp>/         server.db (SQLite online backup API) or server.pgdump (pg_dump -Fc),
                                 manifest.json (database kind, evidence hashes, counts, missing)
The database is copied first, in one consistent read; evidence files are never changed by the server and
deleted only by a disposal (whose files the copy no longer expects), so every file the copy cites should
be on disk (or in the object store) when it is copied after.

Damage does not stop a backup (issue 17): a file that is missing, or whose bytes no longer hash to its
name, is reported by hash and by where it is cited (case, record, document, letter), left out, and
listed under "missing" in the manifest; every other file is still copied and the snapshot finishes.
Everything written is the owner's only (privacy.py).
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

from sqlalchemy import create_engine, make_url

from sync_server.evidence.disk_store import BlobStore, fsync_dir
from sync_server.ops.citations import Citation, Damage, expected_files, where_cited
from sync_server.ops.privacy import make_private_dir
from sync_server.ops.progress import progress
from sync_server.settings import Settings

BLOCK = 1024 * 1024


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError(f"{name} not found (install postgresql-client)")
    return found


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _cited_hashes(url: str) -> tuple[list[str], dict[str, list[Citation]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return expected_files(connection), where_cited(connection)
    finally:
        engine.dispose()


class HashMismatch(RuntimeError):
    """A stored file whose bytes do not hash to its name."""


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
        raise HashMismatch(f"SHA-256 {hasher.hexdigest()}")
    os.replace(tmp, target)
    fsync_dir(target.parent)


def backup(settings: Settings, to: Path, now: datetime | None = None) -> tuple[Path, list[Damage]]:
    """Make one snapshot in `to` while the server runs; returns the snapshot directory and the files found
    missing or altered (left out, listed in the manifest)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")
    snapshot = to / "snapshots" / stamp
    make_private_dir(to)
    snapshot.mkdir(parents=True)
    kept_files = _copy_agency_files(settings.data_dir, snapshot)  # before the database: its log ⊇ their memory
    url = settings.db_url
    if url.startswith("sqlite"):
        kind, copy = "sqlite", snapshot / "server.db"
        source = sqlite3.connect(make_url(url).database or "")
        copy_db = sqlite3.connect(copy)
        with copy_db:
            source.backup(copy_db)  # SQLite's online backup API: one consistent copy, writers go on
        source.close()
        copy_db.close()
        hashes, cited = _cited_hashes(f"sqlite:///{copy}")
    else:
        kind, copy = "postgresql", snapshot / "server.pgdump"
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--file", str(copy), _libpq_url(url)],
                       check=True, capture_output=True)  # one snapshot transaction
        hashes, cited = _cited_hashes(url)  # cited now ⊇ cited by the dump, less what a disposal destroyed
    blobs = BlobStore(settings.evidence_dir, remote=None)
    copied, damaged = 0, []
    with progress("备份留证文件 / backing up evidence", len(hashes)) as step:
        for sha in hashes:
            step()
            kept = to / "evidence" / sha[:2] / sha
            if kept.is_file():
                continue  # incremental: a file with this hash is this file
            problem = _copy_one(settings, blobs, sha, kept)
            if problem is None:
                copied += 1
            else:
                damaged.append(Damage(sha, problem[0], tuple(cited.get(sha, ())), problem[1]))
    manifest = {"database": kind, "evidence": hashes, "copied": copied, "made_at": stamp, "agency_files": kept_files,
                "complete": not damaged, "missing": [d.as_json() for d in damaged]}
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    fsync_dir(snapshot)
    return snapshot, damaged


AGENCY_FILES = ("agency_key.pem", "agency_key.pub", "signed_checkpoints.jsonl", "log_alarms.jsonl",
                "tls/ca.crt", "tls/ca.key", "tls/server.crt", "tls/server.key")


def _copy_agency_files(data_dir: Path, snapshot: Path) -> list[str]:
    """The agency's key (encrypted at rest when so set), the checkpoints it remembers signing, its alarms and
    its TLS identity: without them a restored server could not sign, nor tell that its log was shortened."""
    copied = []
    for name in AGENCY_FILES:
        source = data_dir / name
        if source.is_file():
            target = snapshot / "agency" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(name)
    return copied


def _copy_one(settings: Settings, blobs: BlobStore, sha: str, kept: Path) -> tuple[str, str] | None:
    """Copy one file into the backup; (problem, detail) when it is missing or altered, else None."""
    try:
        source = _local(settings, blobs, sha)
    except Exception as error:  # noqa: BLE001 - the object store's errors (no such key …): not there
        return "missing", f"{type(error).__name__}: {error}"[:300]
    try:
        _copy_verified(source, sha, kept)
    except HashMismatch as mismatch:
        return "altered", str(mismatch)
    except FileNotFoundError:
        return "missing", ""
    return None


def _local(settings: Settings, blobs: BlobStore, sha: str) -> Path:
    path = blobs.path_for(sha)
    if path.is_file() or not settings.s3_endpoint:
        return path
    from sync_server.evidence.remote import object_store  # only when evidence lives in an object store

    return BlobStore(settings.evidence_dir, remote=object_store(settings)).local_path(sha)


def restore(snapshot: Path, settings: Settings) -> dict:
    """Restore a snapshot into an empty data dir (and, for PostgreSQL, an empty database)."""
    manifest = json.loads((snapshot / "manifest.json").read_text())
    backup_root = snapshot.parent.parent
    make_private_dir(settings.data_dir)
    if manifest["database"] == "sqlite":
        target = settings.data_dir / "server.db"
        if target.exists():
            raise RuntimeError(f"{target} exists: restore into an empty data directory")
        shutil.copyfile(snapshot / "server.db", target)
    else:
        subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--dbname", _libpq_url(settings.db_url),
                        str(snapshot / "server.pgdump")], check=True, capture_output=True)
    for name in manifest.get("agency_files", ()):
        (settings.data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(snapshot / "agency" / name, settings.data_dir / name)
    blobs = BlobStore(settings.evidence_dir)
    lost = {m["sha256"] for m in manifest.get("missing", ())}  # listed, not in the backup: nothing to copy
    with progress("恢复留证文件 / restoring evidence", len(manifest["evidence"])) as step:
        for sha in manifest["evidence"]:
            step()
            if sha not in lost:
                _copy_verified(backup_root / "evidence" / sha[:2] / sha, sha, blobs.path_for(sha))
    return manifest
