"""Migration 2 of the tablet's data: the previous release's plain SQLite file and plain evidence
files become encrypted ones (R21), without a moment where the data exists in neither form.

The database: `sqlcipher_export` copies the plain file into `field.db.encrypting` under the key,
the copy is checked (integrity and the row count of every table), fsynced, and renamed over
`field.db`; a hard link `field.db.plain` kept the plain bytes reachable until then, and is
shredded once the encrypted file is in place. A crash at any point leaves either the plain file
(redone at the next start) or the encrypted one (the leftover link is shredded at the next start).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import sqlcipher3

from field_app.store.evidence import EVIDENCE_DIR, EvidenceStore, _fsync_dir, sha256_file, shred
from field_app.store.vault import KeyVault

SQLITE_HEADER = b"SQLite format 3\x00"
_PLAIN_NAME = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


def is_plain_sqlite(path: Path) -> bool:
    """Whether the file is an unencrypted SQLite database (an encrypted one starts with random salt)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except FileNotFoundError:
        return False


def raw_key_pragma(key: bytes) -> str:
    """SQLCipher's raw-key literal (no passphrase derivation): "x'<64 hex>'"."""
    return f"x'{key.hex()}'"


def _tables(conn: Any, schema: str = "main") -> dict[str, int]:
    names = [r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")]
    return {n: conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}


def encrypt_plain_database(path: Path, key: bytes) -> bool:
    """Replace a plain SQLite file by an encrypted copy; whether there was one to convert."""
    path = Path(path)
    plain_link, tmp = path.with_name(path.name + ".plain"), path.with_name(path.name + ".encrypting")
    if plain_link.exists():  # a previous run stopped part-way
        if is_plain_sqlite(path):
            plain_link.unlink()  # the same inode as the live plain file: just a second name
        else:
            shred(plain_link)
    if not is_plain_sqlite(path):
        return False
    for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal")):
        leftover.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        counts = _tables(conn)
        conn.execute("ATTACH DATABASE ? AS enc KEY ?", (str(tmp), raw_key_pragma(key)))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {version}")
        copied = _tables(conn, "enc")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    _check_copy(tmp, key, counts if copied == counts else {"<export>": -1})
    for sidecar in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        shred(sidecar)  # checkpointed above: nothing in them is needed, and they hold plain pages
    os.link(path, plain_link)
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    shred(plain_link)
    return True


def _check_copy(tmp: Path, key: bytes, counts: dict[str, int]) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    conn = sqlcipher3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{raw_key_pragma(key)}"')
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and _tables(conn) == counts
    finally:
        conn.close()
    if not ok:
        tmp.unlink(missing_ok=True)
        raise RuntimeError("加密后的数据库校验失败，原数据库保持不变")


def encrypt_plain_evidence(data_dir: Path, vault: KeyVault) -> list[str]:
    """Encrypt every plain evidence file of the previous release (`evidence/ab/<sha256>`) and shred
    the plain one; returns the hashes encrypted. Idempotent: a second run finds nothing to do."""
    root = Path(data_dir) / EVIDENCE_DIR
    if not root.is_dir():
        return []
    store, done = EvidenceStore(root, vault), []
    for old in sorted(root.glob("??/.tmp-*")):
        shred(old)  # a killed write of the previous release: plain bytes of a photo
    for old in sorted(p for p in root.glob("??/*") if _PLAIN_NAME.match(p.name)):
        actual = sha256_file(old)
        with open(old, "rb") as f:
            sha, _size = store.put_stream(iter(lambda: f.read(CHUNK), b""))
        if sha != actual:
            raise RuntimeError(f"evidence changed while being encrypted: {old.name[:12]}")
        shred(old)
        done.append(sha)
    return done


def receipts_from_synced_outbox(conn: Any) -> int:
    """Turn outbox rows the server confirmed into receipts and drop their sealed content; returns how many."""
    from schemas.records import SealedRecord
    from schemas.seal import record_digest

    rows = conn.execute("SELECT record_id, case_id, kind, sealed_json, synced_at FROM outbox "
                        "WHERE status = 'synced'").fetchall()
    for record_id, case_id, kind, sealed_json, synced_at in rows:
        digest = record_digest(SealedRecord.model_validate(json.loads(sealed_json)).record).hex()
        conn.execute("INSERT OR IGNORE INTO receipt (record_id, case_id, kind, digest, received_at, confirmed_at) "
                     "VALUES (?, ?, ?, ?, NULL, ?)", (record_id, case_id, kind, digest, synced_at))
        conn.execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))
    return len(rows)
