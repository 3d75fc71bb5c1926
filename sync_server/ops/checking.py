"""`python -m sync_server check --data-dir DIR` (issue 17): is the archive whole?

Three checks, each reported even when another fails:
- the database: `PRAGMA integrity_check` on SQLite (opened read-only); on PostgreSQL amcheck's
  `bt_index_check` over every B-tree index of the schema, where the extension is available;
- every stored file the database expects (disposed ones excepted) is there and hashes to its name; a
  missing or altered one is named with its case and record, document or letter (citations.py);
- the audit log's internal consistency: positions without gaps, each entry's leaf hash recomputed, every
  stored subtree and every checkpoint's root recomputed from the leaves, checkpoint signatures verified.
The result is written to DIR/checks/last.json (0600) and shown to administrators in the console; the exit
code is 0 when all is well, 1 when something is damaged, 2 when the database cannot be read at all.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from schemas import checkpoint as note
from sync_server.evidence.disk_store import BlobStore
from sync_server.ops.citations import Damage, expected_files, where_cited
from sync_server.ops.progress import progress
from sync_server.settings import Settings
from sync_server.transparency import merkle
from sync_server.transparency.audit import CHECKPOINT_CONTEXT


def result_path(data_dir: Path) -> Path:
    """Where the last check's result is kept."""
    return data_dir / "checks" / "last.json"


def last_check(data_dir: Path) -> dict[str, Any] | None:
    """The last check's result, or None if none was run (or it cannot be read)."""
    try:
        result: dict[str, Any] = json.loads(result_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return result


def check_database(settings: Settings, engine: Engine) -> dict[str, Any]:
    """The database's own integrity check: {"ok", "method", "problems"}."""
    url = settings.db_url
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = [r[0] for r in connection.execute("PRAGMA integrity_check")]
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            return {"ok": False, "method": "PRAGMA integrity_check", "problems": [str(error)]}
        return {"ok": rows == ["ok"], "method": "PRAGMA integrity_check", "problems": [] if rows == ["ok"] else rows}
    return _amcheck(engine)


def _amcheck(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        try:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            connection.commit()
        except Exception as error:  # noqa: BLE001 - no contrib package or no right to create it: say so
            connection.rollback()
            return {"ok": True, "method": "amcheck unavailable",
                    "problems": [], "note": f"amcheck 不可用 / not available: {str(error).splitlines()[0]}"}
        indexes = list(connection.execute(text(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = current_schema() ORDER BY c.relname")))
        problems = []
        for oid, name in indexes:
            try:
                connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            except Exception as error:  # noqa: BLE001 - each broken index is reported, the rest still checked
                connection.rollback()
                problems.append(f"{name}: {str(error).splitlines()[0]}")
    return {"ok": not problems, "method": f"amcheck bt_index_check ({len(indexes)} indexes)", "problems": problems}


def _hash_file(path: Path) -> str:
    with open(path, "rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _stored_hash(blobs: BlobStore, sha: str) -> str | None:
    """The SHA-256 of the stored bytes, or None if there are none."""
    path = blobs.path_for(sha)
    if path.is_file():
        return _hash_file(path)
    if blobs.remote is None or not blobs.remote.has(sha):
        return None
    fd, tmp = blobs.temporary()
    os.close(fd)
    try:
        blobs.remote.download(sha, tmp)
        return _hash_file(tmp)
    finally:
        tmp.unlink(missing_ok=True)


def check_files(connection: Connection, blobs: BlobStore) -> tuple[int, list[Damage]]:
    """How many stored files were checked, and the missing or altered ones."""
    hashes, cited = expected_files(connection), where_cited(connection)
    damaged = []
    with progress("核对留证文件哈希 / hashing evidence files", len(hashes)) as step:
        for sha in hashes:
            actual = _stored_hash(blobs, sha)
            step()
            if actual != sha:
                damaged.append(Damage(sha, "missing" if actual is None else "altered", tuple(cited.get(sha, ())),
                                      "" if actual is None else f"SHA-256 {actual}"))
    return len(hashes), damaged


def check_log(connection: Connection, public_raw: bytes | None) -> dict[str, Any]:
    """Recompute the log from its entries and compare every stored subtree and checkpoint."""
    problems: list[str] = []
    leaves: list[bytes] = []
    total = connection.execute(text("SELECT COUNT(*) FROM audit_entries")).scalar()
    with progress("重算审计日志 / recomputing the audit log", int(total or 0)) as step:
        for position, entry, stored in connection.execute(text(
                "SELECT position, entry, leaf_hash FROM audit_entries ORDER BY position")):
            step()
            if position != len(leaves):
                problems.append(f"日志位置不连续 / gap: expected position {len(leaves)}, found {position}")
            leaf = merkle.leaf_hash(bytes(entry))
            if leaf.hex() != stored:
                problems.append(f"条目 {position} 的叶哈希不符 / leaf hash of entry {position} differs")
            if json.loads(bytes(entry)).get("position") != position:
                problems.append(f"条目 {position} 的内容写着另一位置 / entry {position} names another position")
            leaves.append(leaf)
    tree = merkle.Tree(leaves)
    for level, number, node in connection.execute(text("SELECT level, number, node_hash FROM audit_nodes")):
        if level >= len(tree.levels) or number >= len(tree.levels[level]) or tree.levels[level][number].hex() != node:
            problems.append(f"存储的子树 ({level}, {number}) 与条目不符 / stored subtree differs")
    key = Ed25519PublicKey.from_public_bytes(public_raw) if public_raw else None
    checkpoints = 0
    for size, root, body, signature in connection.execute(text(
            "SELECT tree_size, root_hash, body, signature FROM audit_checkpoints ORDER BY tree_size")):
        checkpoints += 1
        if size > len(leaves):
            problems.append(f"检查点 {size} 超出日志长度 {len(leaves)} / checkpoint beyond the log (shortened?)")
            continue
        recomputed = merkle.Proofs(size, lambda lv, n: tree.levels[lv][n]).root()
        if recomputed.hex() != root or _signed_root(body) != root:
            problems.append(f"检查点 {size} 的根与条目不符 / checkpoint {size}'s root differs from the entries")
        if key is not None and public_raw is not None and not _signature_holds(key, public_raw, body, signature):
            problems.append(f"检查点 {size} 的签名无效 / checkpoint {size}'s signature is invalid")
    return {"ok": not problems, "entries": len(leaves), "checkpoints": checkpoints, "problems": problems}


def _signed_root(body: str) -> str | None:
    """The root (hex) a checkpoint's signed body states: a C2SP note's third line, or the first format's JSON."""
    try:
        if body.startswith("{"):
            return str(json.loads(body).get("root"))
        return base64.b64decode(body.split("\n")[2], validate=True).hex()
    except (ValueError, IndexError):
        return None


def _signature_holds(key: Ed25519PublicKey, public_raw: bytes, body: str, signature: str) -> bool:
    """Whether the agency signed this checkpoint: as a C2SP signed note, or in the first (JSON) format."""
    try:
        if body.startswith("{"):
            key.verify(base64.b64decode(signature), CHECKPOINT_CONTEXT + body.encode())
            return True
        origin = body.split("\n", 1)[0]
        note.parse(note.signed_note(body, [f"{note.DASH} {origin} {signature}"]), public_raw)
        return True
    except (InvalidSignature, ValueError):
        return False


def _agency_public(data_dir: Path) -> bytes | None:
    try:
        return base64.b64decode((data_dir / "agency_key.pub").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def check(settings: Settings, blobs: BlobStore | None = None) -> dict[str, Any]:
    """Run every check (without upgrading or writing the database) and return the result."""
    engine = create_engine(settings.db_url)
    result: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "data_dir": str(settings.data_dir)}
    try:
        result["database"] = check_database(settings, engine)
        try:
            with engine.connect() as connection:
                checked, damaged = check_files(connection, blobs or _blobs(settings))
                result["files"] = {"ok": not damaged, "checked": checked, "damaged": [d.as_json() for d in damaged],
                                   "lines": [d.line() for d in damaged]}
                result["log"] = check_log(connection, _agency_public(settings.data_dir))
        except Exception as error:  # noqa: BLE001 - a database too damaged to read: reported, not a traceback
            result["unreadable"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    result["ok"] = "unreadable" not in result and all(result[k]["ok"] for k in ("database", "files", "log"))
    return result


def _blobs(settings: Settings) -> BlobStore:
    from sync_server.evidence.remote import object_store  # the S3 client loads only when evidence lives there

    return BlobStore(settings.evidence_dir, remote=object_store(settings))


def save(data_dir: Path, result: dict[str, Any]) -> Path:
    """Write the result where the console reads it (owner-only, whole or not at all)."""
    path = result_path(data_dir)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    tmp = path.with_name(f".last.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
    return path


def run_check(settings: Settings) -> int:
    """The command: check, print a summary (problems on stderr), save the result; the exit code."""
    result = check(settings)
    save(settings.data_dir, result)
    database = result["database"]
    print(f"数据库 / database ({database['method']}): {'正常 / ok' if database['ok'] else '损坏 / damaged'}")
    for line in database["problems"][:50]:
        print(f"  {line}", file=sys.stderr)
    if database.get("note"):
        print(f"  {database['note']}")
    if "unreadable" in result:
        print(f"无法读取数据库 / cannot read the database: {result['unreadable']}", file=sys.stderr)
        return 2
    files, log = result["files"], result["log"]
    print(f"留证文件 / stored files: 检查 {files['checked']} 个，缺失或损坏 {len(files['damaged'])} 个")
    for line in files["lines"]:
        print(f"  {line}", file=sys.stderr)
    print(f"审计日志 / audit log: {log['entries']} 条，{log['checkpoints']} 个检查点，"
          f"{'一致 / consistent' if log['ok'] else '不一致 / INCONSISTENT'}")
    for line in log["problems"][:50]:
        print(f"  {line}", file=sys.stderr)
    return 0 if result["ok"] else 1
