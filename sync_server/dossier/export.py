"""Building a case dossier: exact signed bytes, evidence originals, keys, PDFs, the case's process material
(material.py), log proofs, a Chinese index page, signed manifest.

The zip is written to a file (evidence is streamed from disk, never held in memory all at once); the
manifest comes first and lists every other file, in zip order, with its SHA-256 and size, and every item
of the case with its files and log entries. Format v2 (docs/DOSSIER.md); the verifier still reads v1.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import rfc8785
from sqlmodel import Session

from schemas.beijing import beijing_text
from sync_server.casework.case_wire import signed_bytes_of
from sync_server.dossier import index_page, material
from sync_server.dossier.logproofs import log_files
from sync_server.evidence.disk_store import BlobStore
from sync_server.ops.progress import progress
from sync_server.tables import Case, EvidenceFile, EvidenceType, Record, queries
from sync_server.transparency import audit
from sync_server.transparency.agency_key import AgencyKey

FORMAT = "field-evidence/dossier/v2"
MANIFEST_CONTEXT = b"field-evidence/dossier-manifest/v1\n"
README = """核查案件档案包 / case dossier ({format})
目录：index.html（案件全部材料清单）。
核验方法：python -m dossier_verify 本文件.zip --agency-key-id {key_id}
（或 python -m sync_server verify-dossier ...）。规范见 docs/DOSSIER.md 与 docs/SEALS.md。
"""


@dataclass(frozen=True)
class Exported:
    """Where the zip was written and what it holds."""

    path: Path
    export_id: str
    manifest_sha256: str
    files: int
    size: int


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


class _Files:
    """Files in zip order: generated ones in memory, evidence as paths on disk."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, bytes | Path, str, int]] = []

    def add(self, name: str, data: bytes) -> None:
        self.entries.append((name, data, hashlib.sha256(data).hexdigest(), len(data)))

    def add_stored(self, name: str, path: Path, sha256: str, size: int) -> None:
        self.entries.append((name, path, sha256, size))


def _records(session: Session, rows: list[Record], files: _Files) -> list[dict]:
    out: list[dict] = []
    for row in rows:
        version, body = signed_bytes_of(session, row)
        seals = json.loads(row.sealed_json)["seals"]
        base = f"records/{row.id}"
        files.add(f"{base}/record.json", body)
        files.add(f"{base}/seals.json", _json_bytes({"record_id": row.id, "seal_version": version,
                                                     "seals": seals}))
        out.append({"id": row.id, "seal_version": version, "digest": row.digest, "body": f"{base}/record.json",
                    "seals": f"{base}/seals.json"})
    return out


def _keys(session: Session, rows: list[Record], files: _Files) -> set[str]:
    key_ids = {s["key_id"] for r in rows for s in json.loads(r.sealed_json)["seals"]}
    keys = queries.keys_by_id(session, key_ids)
    people = queries.accounts_by_username(session, {k.username for k in keys.values()})
    for kid in sorted(keys):
        k = keys[kid]
        person = people.get(k.username)
        files.add(f"keys/{kid}.json", _json_bytes({
            "key_id": kid, "username": k.username, "name": person.name if person else "",
            "work_id": person.work_id if person else "", "public_key": k.public_key, "device_id": k.device_id,
            "registered_at": k.registered_at.isoformat()}))
    return set(keys)


def _evidence(session: Session, rows: list[Record], blobs: BlobStore, files: _Files) -> list[tuple[str, str]]:
    """Each cited original once, under its kind, named by what its bytes are (sniffed at upload; else as
    declared): `evidence/audio/<sha256>.m4a`. Returns (path, kind) for the index."""
    seen: dict[str, tuple[str, str]] = {}
    for row in rows:
        for ref in json.loads(row.sealed_json)["record"].get("evidence", []):
            seen.setdefault(ref["sha256"], (str(ref.get("kind", "document")), ref.get("media_type", "")))
    out = []
    for sha, (kind, declared) in sorted(seen.items()):
        stored = session.get(EvidenceFile, sha)
        if stored is None or not blobs.has(sha):
            continue  # the verifier names it as cited but missing
        sniffed = session.get(EvidenceType, sha)
        media = sniffed.media_type if sniffed is not None and sniffed.media_type else declared
        path = f"evidence/{kind}/{sha}.{material.extension_of(media)}"
        files.add_stored(path, blobs.local_path(sha), sha, stored.size)
        out.append((path, kind))
    return out


def export_case(session: Session, case: Case, *, blobs: BlobStore, key: AgencyKey, actor: str, now: datetime,
                out_dir: Path, commit: Callable[[], None], documents: Iterable[tuple[str, bytes]] = ()) -> Exported:
    """Log the export, sign it, `commit` the log, then write the case's dossier zip under out_dir.

    Logging holds the end of the audit log (every sync and review appends to it) until the commit, so the
    commit comes before the zip is written: copying gigabytes of evidence holds no lock. A zip that cannot
    be written (a full disk) leaves no partial file, and the log says so after the export's entry."""
    rows = queries.case_records(session, case.id)
    export_id = uuid.uuid4().hex
    files = _Files()
    records = _records(session, rows, files)
    key_ids = _keys(session, rows, files)
    evidence = _evidence(session, rows, blobs, files)
    for name, data in documents:
        files.add(name, data)
    items = material.collect(session, case, blobs, files.add, files.add_stored) + _other_items(session, case, rows,
                                                                                                key_ids, documents)
    forms = material.Collector(files.add, files.add_stored, blobs)
    form_ids = material.form_items(session, rows, forms)
    items += forms.items
    event = audit.AuditEvent(kind="dossier.exported", at=now, actor=actor, case_id=case.id, subject=export_id,
                             data={"records": [r["id"] for r in records], "items": sorted(i.id for i in items)})
    log = log_files(session, rows, key, now, event, files.add, key_ids, form_ids)
    for item in items:
        item.log = log.by_subject.get(item.id, [])
    files.add("index.html", index_page.render(case.id, case.title, export_id, now.isoformat(), key.key_id, items,
                                              evidence, log.size, log.entries))
    files.add("README.txt", README.format(format=FORMAT, key_id=key.key_id).encode("utf-8"))
    manifest = rfc8785.dumps({
        "format": FORMAT, "case_id": case.id, "export_id": export_id, "created_at": now.isoformat(),
        "agency_key": {"key_id": key.key_id, "public_key": key.public_b64}, "records": records,
        "items": [i.manifest() for i in items], "index": "index.html", "log": log.names,
        "files": [{"path": n, "sha256": sha, "size": size} for n, _, sha, size in files.entries]})
    signature = key.sign(MANIFEST_CONTEXT + manifest)
    commit()
    path = out_dir / f"{case.id}-{now.strftime('%Y%m%dT%H%M%SZ')}-{export_id[:8]}.zip"
    try:
        _write_zip(path, manifest, signature, files)
    except Exception as error:
        session.rollback()
        audit.log(session, "dossier.export_failed", now, actor=actor, case_id=case.id, subject=export_id,
                  error=type(error).__name__)
        commit()
        raise
    return Exported(path, export_id, hashlib.sha256(manifest).hexdigest(), len(files.entries) + 2,
                    path.stat().st_size)


def _other_items(session: Session, case: Case, rows: list[Record], key_ids: set[str],
                 documents: Iterable[tuple[str, bytes]]) -> list[material.Item]:
    """The records, the sealers' keys and the issued reports as items (their files are added above)."""
    names = {n for n, _ in documents}
    items = [material.Item(r.id, "record", [f"records/{r.id}/record.json", f"records/{r.id}/seals.json"] +
                           ([f"pdf/record-{r.id}.pdf"] if f"pdf/record-{r.id}.pdf" in names else []),
                           f"{r.kind} / {r.outcome}，{r.received_from} 于 {beijing_text(r.received_at)} 上传", [])
             for r in rows]
    items += [material.Item(k, "key", [f"keys/{k}.json"], f"签名密钥 {k}", []) for k in sorted(key_ids)]
    return items + [material.report_item(case, r) for r in queries.issued_reports(session, case.id)
                    if f"reports/v{r.version}/content.json" in names]


def _write_zip(path: Path, manifest: bytes, signature: str, files: _Files) -> None:
    """The zip, written beside its final name and renamed into place whole (or removed on any error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z, \
                progress(f"导出案件档案 / exporting dossier {path.name}", len(files.entries)) as step:
            z.writestr("manifest.json", manifest)
            z.writestr("manifest.sig", signature + "\n")
            for name, content, _sha, _size in files.entries:
                if isinstance(content, Path):
                    z.write(content, name, compress_type=zipfile.ZIP_STORED)
                else:
                    z.writestr(name, content)
                step()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
