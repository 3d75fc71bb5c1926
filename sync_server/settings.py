"""Server settings, read once at the edge (`__main__` or a test) and passed to `create_app`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from schemas.protocol import MAX_BATCH_FILES, VISIT_BUNDLE_BYTES

DEFAULT_MAX_EVIDENCE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its surroundings."""

    data_dir: Path
    database_url: str = ""  # empty: SQLite file `data_dir/server.db`
    max_evidence_bytes: int = DEFAULT_MAX_EVIDENCE_BYTES
    device_session: timedelta = timedelta(hours=12)  # a tablet token: one working day, then the PIN again
    console_session: timedelta = timedelta(hours=12)
    secure_cookies: bool = False  # True behind HTTPS
    # Limits and back-pressure (sync_server/edge/limits.py); every body is counted before it is parsed.
    max_json_bytes: int = 2 * 1024 * 1024  # any route that is not an evidence upload
    max_anonymous_bytes: int = 16 * 1024  # callers without a token or console cookie, on every route
    max_chunk_bytes: int = 16 * 1024 * 1024  # one PATCH of a resumable upload
    max_batch_files: int = MAX_BATCH_FILES  # one POST /evidence/batch (0: batches answer 404, send singly)
    max_batch_bytes: int = VISIT_BUNDLE_BYTES  # a whole visit in one batch (issue 19)
    body_idle_s: float = 20.0  # longest wait for the next piece of a body
    body_grace_s: float = 10.0  # then the body must average body_min_rate bytes/s
    body_min_rate: float = 2048.0
    header_timeout_s: float = 10.0  # the request line and headers must arrive within this
    keep_alive_s: float = 5.0  # idle keep-alive connections are closed after this
    max_requests: int = 48  # requests in progress (not uploads) before `server.busy`
    max_uploads: int = 24  # evidence uploads in progress before `server.busy`
    retry_after_s: int = 2  # the Retry-After of `server.busy`
    db_pool_size: int = 8
    db_max_overflow: int = 4
    db_pool_timeout_s: float = 5.0  # a request waiting longer for a connection gets `server.busy`
    # Partial uploads untouched this long are swept (at start, then every upload_sweep_interval_s).
    abandoned_upload_days: float = 7.0
    upload_sweep_interval_s: float = 6 * 3600.0
    # Dossier zips in exports/ are removed this long after they were written (dossier/expiry.py).
    export_days: float = 7.0
    # Evidence in an S3-compatible object store when s3_endpoint is set (sync_server/evidence/s3_store.py).
    s3_endpoint: str = ""
    s3_bucket: str = "field-evidence"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # Background threads making photo display copies as records merge (sync_server/display/);
    # 0: each copy is made on its first view instead. Either way a copy is made once.
    display_warm_workers: int = 0
    # The audit log's witnesses (sync_server/transparency/witness.py): at most one new checkpoint this often.
    checkpoint_interval_s: float = 60.0
    # The agency's signing key at rest (sync_server/transparency/key_store.py): "file" (PKCS#8, encrypted
    # with the passphrase when one is set) or "pkcs11" (held in a token). Secrets stay out of repr().
    agency_key_store: str = "file"
    agency_key_passphrase: str = field(default="", repr=False)
    pkcs11_module: str = "/usr/lib/softhsm/libsofthsm2.so"
    pkcs11_token: str = ""
    pkcs11_pin: str = field(default="", repr=False)
    pkcs11_key_label: str = "agency-key"

    @classmethod
    def from_env(cls, data_dir: Path, environ: Mapping[str, str]) -> Settings:
        """Settings for a data dir; `DATABASE_URL` in the environment overrides the SQLite file, and
        `SYNC_<FIELD>` any number or text field (e.g. `SYNC_MAX_UPLOADS=48`, `SYNC_S3_ENDPOINT=http://...`)."""
        numbers: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"SYNC_{f.name.upper()}")
            if raw is not None and f.type in ("int", "float", "str"):
                numbers[f.name] = {"int": int, "float": float, "str": str}[str(f.type)](raw)
        return cls(data_dir=Path(data_dir), database_url=environ.get("DATABASE_URL", ""), **numbers)

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'server.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        """Where evidence files live, addressed by their SHA-256."""
        return self.data_dir / "evidence"
