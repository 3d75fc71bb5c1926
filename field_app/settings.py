"""Settings of the tablet app, read once at the edge, and the tablet's own device id."""
from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SERVER_URL = ""  # none: the first screen asks for the enrolment QR code (issue 18)
DEFAULT_PORT = 8550
DEFAULT_IDLE_LOCK_SECONDS = 300
DEFAULT_AUTO_RESUME_SECONDS = 20


@dataclass(frozen=True)
class Settings:
    """Where the server is, where the tablet keeps its data (and, in web mode, its keys: outside the
    data folder), and the port the app listens on."""

    server_url: str  # "": not configured here; from the enrolment QR code (field_app/provisioning.py)
    data_dir: Path
    port: int = DEFAULT_PORT
    key_dir: Path | None = None  # None: the OS user's config dir (field_app.store.vault.default_key_dir)
    idle_lock_seconds: int = DEFAULT_IDLE_LOCK_SECONDS  # the tablet locks after this idle time; 0: never
    ca_file: Path | None = None  # the agency CA certificate: the only one trusted for HTTPS (pinned)
    auto_resume_seconds: int = DEFAULT_AUTO_RESUME_SECONDS  # how often a cut-off upload checks the network; 0: never

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from FIELD_SERVER_URL, FIELD_DATA_DIR, FIELD_KEY_DIR, FIELD_PORT, FIELD_CA_FILE,
        FIELD_IDLE_LOCK_SECONDS and FIELD_AUTO_RESUME_SECONDS (with defaults)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("FIELD_DATA_DIR") or Path.home() / ".field_app").expanduser()
        key_dir = Path(env["FIELD_KEY_DIR"]).expanduser() if env.get("FIELD_KEY_DIR") else None
        ca_file = env.get("FIELD_CA_FILE")
        return cls(server_url=env.get("FIELD_SERVER_URL") or DEFAULT_SERVER_URL, data_dir=data_dir,
                   port=int(env.get("FIELD_PORT") or DEFAULT_PORT), key_dir=key_dir,
                   ca_file=Path(ca_file).expanduser() if ca_file else None,
                   idle_lock_seconds=_idle_seconds(env.get("FIELD_IDLE_LOCK_SECONDS")),
                   auto_resume_seconds=int(env.get("FIELD_AUTO_RESUME_SECONDS") or DEFAULT_AUTO_RESUME_SECONDS))


def _idle_seconds(value: str | None) -> int:
    """FIELD_IDLE_LOCK_SECONDS: a whole number of seconds, 0 for never; anything else is refused."""
    if value is None or value.strip() == "":
        return DEFAULT_IDLE_LOCK_SECONDS
    if not value.strip().isdigit():
        raise ValueError(f"FIELD_IDLE_LOCK_SECONDS 须为非负整数（秒），现为 {value!r}")
    return int(value)


def device_id(data_dir: Path) -> str:
    """This tablet's id: a UUID minted on first use and kept in `data_dir/device_id`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "device_id"
    if path.is_file():
        existing = path.read_text(encoding="ascii").strip()
        try:
            return str(uuid.UUID(existing))
        except ValueError:
            pass  # a damaged file: mint a new id rather than run without one
    minted = str(uuid.uuid4())
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="ascii") as f:
        f.write(minted)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return minted
