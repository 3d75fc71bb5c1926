"""Server settings, read once at the edge (`__main__` or a test) and passed to `create_app`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

DEFAULT_MAX_EVIDENCE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its surroundings."""

    data_dir: Path
    database_url: str = ""  # empty: SQLite file `data_dir/server.db`
    max_evidence_bytes: int = DEFAULT_MAX_EVIDENCE_BYTES
    device_session: timedelta = timedelta(hours=12)  # a tablet token: one working day, then the PIN again
    max_request_bytes: int = 2 * 1024 * 1024  # any request body but evidence uploads (JSON, forms)
    console_session: timedelta = timedelta(hours=12)
    secure_cookies: bool = False  # True behind HTTPS

    @classmethod
    def from_env(cls, data_dir: Path, environ: Mapping[str, str]) -> Settings:
        """Settings for a data dir; `DATABASE_URL` in the environment overrides the SQLite file."""
        return cls(data_dir=Path(data_dir), database_url=environ.get("DATABASE_URL", ""))

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'server.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        """Where evidence files live, addressed by their SHA-256."""
        return self.data_dir / "evidence"
