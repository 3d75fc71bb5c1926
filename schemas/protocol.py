"""Sync messages between the tablet and the server, and the protocol version.

The exchange, all under /api/v1, every error a `problems.Problem`:
  POST /auth/device-login  DeviceLogin -> Session          a surveyor signs in on a tablet (username + PIN)
  POST /auth/login         PasswordLogin -> Session        console staff sign in (username + password; not surveyors)
  POST /auth/logout                                        end the caller's token on the server
  PUT  /keys               KeyEnrolment -> KeyRegistration enrol the caller's Ed25519 key (own PIN, own device)
  GET  /admin/keys         -> list[KeyRegistration]        administrators: every key, who enrolled it, revoked?
  POST /admin/keys/{key_id}/revoke  KeyRevocation -> KeyRegistration
  POST /admin/accounts/{username}/unlock                   administrators: clear sign-in delays
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
  POST   /evidence/batch   raw body -> BatchResult         small files (signatures' PNG + strokes, under
                           SMALL_FILE_BYTES) in one request: header Evidence-Batch "sha:size,sha:size,..."
                           names the members in body order; the body is their bytes back to back
                           (Content-Length = the sum). Count and total are refused (413) before a byte is
                           read. A body that stops short stores nothing; each whole member is then checked
                           alone (hash, type recorded as for a PUT): a mismatch is refused by name in the
                           answer, the others are stored and durable before it. 404/405: use single uploads.
Any request may be answered `server.busy` (503 + Retry-After): wait, with jitter, and send it again.
Every request carries `X-Protocol-Version`; authenticated ones `Authorization: Bearer <token>`; a tablet's
ones also `X-Device-Id`, which must name the device its token was issued to.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, Field

from schemas.completeness import CaseCompleteness
from schemas.methods import Method
from schemas.records import SHA256_PATTERN, SealedRecord, VisitKind
from schemas.review import ReturnedItem
from schemas.text import NO_CONTROL, Identifier, LineText, NameText, Secret, ShortText, Text

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Protocol-Version"
DEVICE_HEADER = "X-Device-Id"  # a device token is accepted only with the id of the device it was issued to
KEY_BASE64 = r"^[A-Za-z0-9+/]{43}=$"  # 32 raw bytes (an Ed25519 public key) in base64
API_PREFIX = "/api/v1"


class AccountRole(str, Enum):
    """Duties split into roles (R6)."""

    SURVEYOR = "surveyor"
    TOWNSHIP = "township"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class AccountPublic(BaseModel):
    """What anyone on the case may see of an account (real-name, R4)."""

    username: ShortText
    name: NameText
    role: AccountRole
    work_id: ShortText = ""  # 工作证号, shown to the family (R8)
    team_id: ShortText | None = None


class DeviceLogin(BaseModel):
    username: Identifier
    pin: Secret
    device_id: Identifier


class PasswordLogin(BaseModel):
    username: Identifier
    password: Secret


class Session(BaseModel):
    token: LineText
    expires_at: datetime
    account: AccountPublic


class KeyEnrolment(BaseModel):
    """Enrolling the caller's own signing key (R11, R16): the surveyor's PIN, proven at this moment, and
    the device the caller's token was issued to. key_id = schemas.seal.key_id(raw)."""

    key_id: Identifier
    public_key: str = Field(min_length=44, max_length=44, pattern=KEY_BASE64,
                            description="32 字节 Ed25519 公钥的 base64")
    device_id: Identifier
    pin: Secret


class KeyRegistration(BaseModel):
    """A surveyor's public key: 32 raw Ed25519 bytes in base64; who enrolled it, from where, when; and
    whether an administrator revoked it."""

    key_id: Identifier
    public_key: str = Field(min_length=44, max_length=44, pattern=KEY_BASE64)
    username: ShortText = ""
    device_id: ShortText = ""
    registered_at: datetime | None = None
    enrolled_by: ShortText = ""
    revoked_at: datetime | None = None
    revoked_by: ShortText = ""
    revoke_reason: Text = ""


class KeyRevocation(BaseModel):
    """Why an administrator revokes a key (kept with the key)."""

    reason: Text = Field(min_length=1)


class Subject(BaseModel):
    """A family member under verification (核查对象)."""

    id: ShortText
    name: NameText
    id_number: ShortText
    relation: ShortText


class CaseSummary(BaseModel):
    """A verification case as the survey team needs it in the field."""

    id: ShortText
    title: LineText
    entrusting_unit: LineText
    address: LineText
    lat: float | None = None
    lon: float | None = None
    subjects: list[Subject]
    authorization_recorded: bool
    entrustment_recorded: bool
    released: bool = False  # the materials passed the two-person conformity review (R1, R26)
    released_at: datetime | None = None  # when (additive): a visit may not be sealed before it (issue 16)
    accepted_on: date
    deadline: date
    deadline_warning: Text = ""
    required_checks: list[VisitKind]
    team_id: ShortText
    team: list[AccountPublic]
    methods: list[Method] = []  # every entrusted method (additive)
    returns: list[ReturnedItem] = []  # items the reviewer returned to the team, still open (additive)
    checklist: CaseCompleteness | None = None  # the case's checklist as the server computes it (additive)


class SealInfo(BaseModel):
    surveyor: ShortText
    surveyor_name: NameText
    key_id: ShortText
    valid: bool
    key_revoked_at: datetime | None = None  # the key was revoked later; the record arrived before that


class MergedRecord(BaseModel):
    """A record as merged into the case, with who sealed it."""

    sealed: SealedRecord
    received_at: datetime
    seals: list[SealInfo]
    # SHA-256 (hex) of the exact bytes the seals cover (docs/SEALS.md)
    digest: str = Field(default="", max_length=64, pattern="^([0-9a-f]{64})?$")
    seals_checked_at: datetime | None = None  # when `seals` were verified: at ingest, or again on request


class CaseDetail(BaseModel):
    case: CaseSummary
    records: list[MergedRecord]
    completeness: CaseCompleteness


class EvidenceStored(BaseModel):
    sha256: ShortText
    size: int
    created: bool


class RecordStatus(str, Enum):
    MERGED = "merged"
    ALREADY_MERGED = "already_merged"


class RecordResult(BaseModel):
    record_id: ShortText
    case_id: ShortText
    status: RecordStatus
    completeness: CaseCompleteness
    received_at: datetime | None = None  # when the server first stored the record (the tablet's receipt)
    # the agency log's latest signed checkpoint (C2SP signed note, issue 17)
    checkpoint: Annotated[str, Field(max_length=4096, json_schema_extra={"pattern": NO_CONTROL})] | None = None


class LogCheckpoint(BaseModel):
    """GET /log/checkpoint?since=N: the latest signed checkpoint of the agency's audit log and the RFC 9162
    consistency proof from the tree of N entries the tablet holds a checkpoint of (schemas/checkpoint.py)."""

    # C2SP tlog-checkpoint signed note
    checkpoint: str = Field(max_length=4096, json_schema_extra={"pattern": NO_CONTROL})
    size: int
    # the agency's raw Ed25519 public key, base64 (pinned at first sight)
    public_key: str = Field(max_length=64, pattern="^[A-Za-z0-9+/]{43}=$")
    consistency: list[str] = Field(default_factory=list, max_length=128)  # hex hashes, from `since`


class LogAlarmReport(BaseModel):
    """POST /log/alarm: a tablet's report that the server's log contradicts a checkpoint it holds."""

    # the checkpoint the tablet held (signed note)
    held: str = Field(max_length=4096, json_schema_extra={"pattern": NO_CONTROL})
    # what the server answered, if anything
    served: str = Field(default="", max_length=4096, json_schema_extra={"pattern": NO_CONTROL})
    reason: str = Field(max_length=500, json_schema_extra={"pattern": NO_CONTROL})
    device_id: str = Field(default="", max_length=100, json_schema_extra={"pattern": NO_CONTROL})


UPLOAD_OFFSET = "Upload-Offset"
UPLOAD_LENGTH = "Upload-Length"
UPLOAD_CHECKSUM = "Upload-Checksum"
MAX_QUERY_FILES = 500
CASES_PAGE = 200  # GET /cases answers at most this many; a `Link: <…?after=…>; rel="next"` header asks for more


class EvidenceQuery(BaseModel):
    """The files one record (or a batch) needs, by SHA-256."""

    sha256: list[Annotated[str, Field(max_length=64, pattern=SHA256_PATTERN)]] = Field(max_length=MAX_QUERY_FILES)


class UploadState(BaseModel):
    """How much of one file the server holds durably; complete once stored under its hash."""

    sha256: str = Field(max_length=64, pattern=SHA256_PATTERN)
    offset: int
    length: int
    complete: bool = False


class EvidenceMissing(BaseModel):
    """The files of a query the server does not store yet, each with its resumable offset."""

    missing: list[UploadState]


EVIDENCE_BATCH = "Evidence-Batch"
SMALL_FILE_BYTES = 256 * 1024  # files up to this size go in batches (offset 0 only)
MAX_BATCH_FILES = 32
MAX_BATCH_BYTES = 4 * 1024 * 1024  # small files are grouped up to this (what every server accepts)
VISIT_BUNDLE_BYTES = 8 * 1024 * 1024  # a whole visit's files, none started, in one batch (issue 19); a server
# accepting less answers 413 and the tablet sends them as before
BATCH_HEADER_PATTERN = r"^[0-9a-f]{64}:[0-9]{1,10}(,[0-9a-f]{64}:[0-9]{1,10})*$"
BATCH_HEADER_MAX = MAX_BATCH_FILES * 76


def batch_header(members: list[tuple[str, int]]) -> str:
    """The `Evidence-Batch` header naming members (sha256, size) in body order."""
    return ",".join(f"{sha}:{size}" for sha, size in members)


def parse_batch_header(text: str) -> list[tuple[str, int]]:
    """The members an `Evidence-Batch` header names; ValueError if malformed or a file is named twice."""
    if re.fullmatch(BATCH_HEADER_PATTERN, text.strip()) is None:
        raise ValueError("Evidence-Batch 应为 “sha256:字节数,…”")
    members = [(sha, int(size)) for sha, _, size in (m.partition(":") for m in text.strip().split(","))]
    if len({sha for sha, _ in members}) != len(members):
        raise ValueError("同一文件在批量上传中出现两次")
    return members


class BatchItem(BaseModel):
    """One member of a batch upload: stored (durably; `created` if a new claim of the caller's owner)
    or refused with a problem code."""

    sha256: str = Field(max_length=64, pattern=SHA256_PATTERN)
    size: int
    stored: bool
    created: bool = False
    code: ShortText = ""
    detail: Text = ""


class BatchResult(BaseModel):
    """Per member of a batch upload, in body order."""

    files: list[BatchItem]
