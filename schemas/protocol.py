"""Sync messages between the tablet and the server, and the protocol version.

The exchange, all under /api/v1, every error a `problems.Problem`:
  POST /auth/device-login  DeviceLogin -> Session          a surveyor signs in on a tablet (username + PIN)
  POST /auth/login         PasswordLogin -> Session        console staff sign in (username + password)
  PUT  /keys               KeyRegistration -> KeyRegistration   register the caller's Ed25519 public key
  GET  /accounts/{username}/keys -> list[KeyRegistration]
  GET  /cases              -> list[CaseSummary]            the cases assigned to the caller's team
  GET  /cases/{case_id}    -> CaseDetail                   the case with its merged records
  HEAD /evidence/{sha256}                                  200 if stored, 404 if not
  PUT  /evidence/{sha256}  raw body -> EvidenceStored      bytes must hash to sha256; idempotent
  GET  /evidence/{sha256}  -> the bytes
  POST /records            SealedRecord -> RecordResult    verify seals and files, merge; idempotent
Resumable uploads (preferred by the tablet; see ARCHITECTURE.md for why not tus):
  POST   /evidence/missing EvidenceQuery -> EvidenceMissing  which of a record's files the server lacks,
                                                           each with the offset it has made durable
  HEAD   /uploads/{sha256}                                 Upload-Offset / Upload-Length; 404 if not started
  PATCH  /uploads/{sha256} raw chunk -> UploadState        headers Upload-Offset (must equal the server's),
                           Upload-Length (whole file), optional Upload-Checksum "sha256 <base64 of chunk>";
                           the answer's offset is on disk (fsynced); at the full length the file is hashed,
                           stored (complete=true) or discarded (evidence.hash_mismatch). A wrong offset is
                           upload.offset_mismatch (409) with data.offset; a concurrent append upload.in_progress.
  DELETE /uploads/{sha256}                                 discard a partial upload
Any request may be answered `server.busy` (503 + Retry-After): wait, with jitter, and send it again.
Every request carries `X-Protocol-Version`; authenticated ones `Authorization: Bearer <token>`.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel

from schemas.completeness import CaseCompleteness
from schemas.records import SealedRecord, VisitKind

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Protocol-Version"
API_PREFIX = "/api/v1"


class AccountRole(str, Enum):
    """Duties split into roles (R6)."""

    SURVEYOR = "surveyor"
    TOWNSHIP = "township"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class AccountPublic(BaseModel):
    """What anyone on the case may see of an account (real-name, R4)."""

    username: str
    name: str
    role: AccountRole
    work_id: str = ""  # 工作证号, shown to the family (R8)
    team_id: str | None = None


class DeviceLogin(BaseModel):
    username: str
    pin: str
    device_id: str


class PasswordLogin(BaseModel):
    username: str
    password: str


class Session(BaseModel):
    token: str
    expires_at: datetime
    account: AccountPublic


class KeyRegistration(BaseModel):
    """A surveyor's public key: 32 raw Ed25519 bytes in base64; key_id = schemas.seal.key_id(raw)."""

    key_id: str
    public_key: str
    device_id: str = ""
    registered_at: datetime | None = None


class Subject(BaseModel):
    """A family member under verification (核查对象)."""

    id: str
    name: str
    id_number: str
    relation: str


class CaseSummary(BaseModel):
    """A verification case as the survey team needs it in the field."""

    id: str
    title: str
    entrusting_unit: str
    address: str
    lat: float | None = None
    lon: float | None = None
    subjects: list[Subject]
    authorization_recorded: bool
    entrustment_recorded: bool
    released: bool = False  # the materials passed the two-person conformity review (R1, R26)
    accepted_on: date
    deadline: date
    deadline_warning: str = ""
    required_checks: list[VisitKind]
    team_id: str
    team: list[AccountPublic]


class SealInfo(BaseModel):
    surveyor: str
    surveyor_name: str
    key_id: str
    valid: bool


class MergedRecord(BaseModel):
    """A record as merged into the case, with who sealed it."""

    sealed: SealedRecord
    received_at: datetime
    seals: list[SealInfo]
    digest: str = ""  # SHA-256 (hex) of the exact bytes the seals cover (docs/SEALS.md)


class CaseDetail(BaseModel):
    case: CaseSummary
    records: list[MergedRecord]
    completeness: CaseCompleteness


class EvidenceStored(BaseModel):
    sha256: str
    size: int
    created: bool


class RecordStatus(str, Enum):
    MERGED = "merged"
    ALREADY_MERGED = "already_merged"


class RecordResult(BaseModel):
    record_id: str
    case_id: str
    status: RecordStatus
    completeness: CaseCompleteness
    received_at: datetime | None = None  # when the server first stored the record (the tablet's receipt)


UPLOAD_OFFSET = "Upload-Offset"
UPLOAD_LENGTH = "Upload-Length"
UPLOAD_CHECKSUM = "Upload-Checksum"
MAX_QUERY_FILES = 500


class EvidenceQuery(BaseModel):
    """The files one record (or a batch) needs, by SHA-256."""

    sha256: list[str]


class UploadState(BaseModel):
    """How much of one file the server holds durably; complete once stored under its hash."""

    sha256: str
    offset: int
    length: int
    complete: bool = False


class EvidenceMissing(BaseModel):
    """The files of a query the server does not store yet, each with its resumable offset."""

    missing: list[UploadState]
