"""Server settings, read once at the edge (`__main__`, a worker, or a test) and passed to `create_app`.

A pydantic-settings model, frozen. `Settings(data_dir=..., x=...)` (or `Settings(path, x=...)`) reads
nothing from the process: only `Settings.from_env(data_dir, environ)` reads variables, and only from the
mapping it is given, so an app never depends on the environment it happens to run in.

Every field is settable as `SYNC_<FIELD>` (`SYNC_SECURE_COOKIES=true`, `SYNC_DEVICE_SESSION=PT8H` or
`28800`, `SYNC_BODY_IDLE_S=PT20S` or `20`); `DATABASE_URL` still names the database when
`SYNC_DATABASE_URL` is not set. A value that does not parse, and a `SYNC_*` variable that names no
field (a misspelling would otherwise be ignored in silence), stop the start with `SettingsError`
naming the variable (settings_env.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, TypeAdapter
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from schemas.protocol import MAX_BATCH_FILES, VISIT_BUNDLE_BYTES
from sync_server.settings_env import ENV_PREFIX, settings_from_env

DEFAULT_MAX_EVIDENCE_BYTES = 512 * 1024 * 1024
_TIMEDELTA = TypeAdapter(timedelta)


def _duration(value: Any) -> Any:
    """A duration from a variable: a number of seconds, or anything pydantic reads (ISO 8601 "PT12H")."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return timedelta(seconds=float(text))
        except ValueError:
            return text
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


def _in_unit(seconds_per_unit: float) -> Any:
    """A number of seconds (or days) given as a number or as an ISO 8601 duration ("PT20S", "P7D")."""
    def parse(value: Any) -> Any:
        if isinstance(value, str) and value.strip().upper().startswith("P"):
            return _TIMEDELTA.validate_python(value.strip()).total_seconds() / seconds_per_unit
        if isinstance(value, timedelta):
            return value.total_seconds() / seconds_per_unit
        return value
    return BeforeValidator(parse)


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Seconds = Annotated[float, _in_unit(1), Field(ge=0)]
PositiveSeconds = Annotated[float, _in_unit(1), Field(gt=0)]
WholeSeconds = Annotated[int, _in_unit(1), Field(ge=0)]
Days = Annotated[float, _in_unit(86400), Field(gt=0)]
Count = Annotated[int, Field(ge=0)]
PositiveCount = Annotated[int, Field(gt=0)]


class Settings(BaseSettings):
    """Everything the server needs to know about its surroundings."""

    model_config = SettingsConfigDict(frozen=True, env_prefix=ENV_PREFIX, case_sensitive=False,
                                      extra="forbid", validate_default=True)

    data_dir: Path
    database_url: str = ""  # empty: SQLite file `data_dir/server.db`
    max_evidence_bytes: PositiveCount = DEFAULT_MAX_EVIDENCE_BYTES
    device_session: Duration = timedelta(hours=12)  # a tablet token: one working day, then the PIN again
    console_session: Duration = timedelta(hours=12)
    secure_cookies: bool = False  # True behind HTTPS (a TLS-terminating proxy: SYNC_SECURE_COOKIES=true)
    # Limits and back-pressure (sync_server/edge/limits.py); every body is counted before it is parsed.
    max_json_bytes: PositiveCount = 2 * 1024 * 1024  # any route that is not an evidence upload
    max_anonymous_bytes: PositiveCount = 16 * 1024  # callers without a token or console cookie, on every route
    max_chunk_bytes: PositiveCount = 16 * 1024 * 1024  # one PATCH of a resumable upload
    max_batch_files: Count = MAX_BATCH_FILES  # one POST /evidence/batch (0: batches answer 404, send singly)
    max_batch_bytes: PositiveCount = VISIT_BUNDLE_BYTES  # a whole visit in one batch (issue 19)
    body_idle_s: PositiveSeconds = 20.0  # longest wait for the next piece of a body
    body_grace_s: Seconds = 10.0  # then the body must average body_min_rate bytes/s
    body_min_rate: Annotated[float, Field(gt=0)] = 2048.0
    header_timeout_s: PositiveSeconds = 10.0  # the request line and headers must arrive within this
    keep_alive_s: PositiveSeconds = 5.0  # idle keep-alive connections are closed after this
    max_requests: PositiveCount = 48  # requests in progress (not uploads) before `server.busy`
    max_uploads: PositiveCount = 24  # evidence uploads in progress before `server.busy`
    retry_after_s: WholeSeconds = 2  # the Retry-After of `server.busy`
    db_pool_size: PositiveCount = 8
    db_max_overflow: Count = 4
    db_pool_timeout_s: PositiveSeconds = 5.0  # a request waiting longer for a connection gets `server.busy`
    # Partial uploads untouched this long are swept (at start, then every upload_sweep_interval_s).
    abandoned_upload_days: Days = 7.0
    upload_sweep_interval_s: PositiveSeconds = 6 * 3600.0
    # Dossier zips in exports/ are removed this long after they were written (dossier/expiry.py).
    export_days: Days = 7.0
    # Evidence in an S3-compatible object store when s3_endpoint is set (sync_server/evidence/s3_store.py).
    s3_endpoint: str = ""
    s3_bucket: str = "field-evidence"
    s3_access_key: str = ""
    s3_secret_key: str = Field(default="", repr=False)
    # Background threads making photo display copies as records merge (sync_server/display/);
    # 0: each copy is made on its first view instead. Either way a copy is made once.
    display_warm_workers: Count = 0
    # The audit log's witnesses (sync_server/transparency/witness.py): at most one new checkpoint this often.
    checkpoint_interval_s: Seconds = 60.0
    # The agency's signing key at rest (sync_server/transparency/key_store.py): "file" (PKCS#8, encrypted
    # with the passphrase when one is set) or "pkcs11" (held in a token). Secrets stay out of repr().
    agency_key_store: Literal["file", "pkcs11"] = "file"
    agency_key_passphrase: str = Field(default="", repr=False)
    pkcs11_module: str = "/usr/lib/softhsm/libsofthsm2.so"
    pkcs11_token: str = ""
    pkcs11_pin: str = Field(default="", repr=False)
    pkcs11_key_label: str = "agency-key"
    # Results pushed to the entrusting units' systems (issue 20, documents/result_delivery.py): the outbox is
    # looked at every exchange_poll_s; a failed delivery waits base, 2·base, 4·base … at most max seconds.
    exchange_poll_s: PositiveSeconds = 2.0
    exchange_retry_base_s: PositiveSeconds = 5.0
    exchange_retry_max_s: PositiveSeconds = 1800.0
    # GET /metrics (ops/metrics.py): loopback callers always; others only with this bearer token (empty: none).
    metrics_token: str = Field(default="", repr=False)
    # The level of the JSON logs `python -m sync_server` writes on stderr (ops/log_config.py).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Device provisioning (issue 18, sync_server/accounts/fleet.py): the URL tablets are told in the enrolment
    # QR code ("" = the URL the console was reached at), the agency CA whose fingerprint it carries ("" =
    # data_dir/tls/ca.crt) and how long an enrolment code stays valid.
    public_url: str = ""
    agency_ca_file: str = ""
    enrolment_hours: float = Field(default=24.0, gt=0)
    # Client certificates of the entrusting units' systems (issue 20, office/unit_certs.py): the addresses or
    # networks (comma-separated) of the TLS-terminating proxies whose X-Client-Verify / X-Client-Cert headers are
    # believed ("": none, such headers are refused), and the agency CA key, if this server may sign units'
    # certificates itself ("": the key stays offline; `python -m sync_server tls sign-unit` signs there).
    exchange_cert_proxies: str = ""
    unit_ca_key_file: str = ""

    def __init__(self, data_dir: Path | str | None = None, /, **values: Any) -> None:
        """`Settings(path, x=...)` as well as `Settings(data_dir=path, x=...)`."""
        if data_dir is not None:
            values["data_dir"] = data_dir
        super().__init__(**values)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what the caller passes: the environment is read by `from_env`, from the mapping it gets."""
        return (init_settings,)

    @classmethod
    def from_env(cls, data_dir: Path, environ: Mapping[str, str]) -> Settings:
        """Settings for a data dir from `SYNC_<FIELD>` variables (and `DATABASE_URL`); raises
        `SettingsError` naming the variable for an unknown `SYNC_*` name or a value that does not parse."""
        return settings_from_env(cls, Path(data_dir), environ)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed, validated like a new one (the model is frozen)."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self)(**{**values, **changes})

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'server.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        """Where evidence files live, addressed by their SHA-256."""
        return self.data_dir / "evidence"
