"""The survey record: what a survey team writes at the door, and the evidence manifest behind it.

A record is minted on the tablet (its `id` is a UUID made there) and becomes immutable once
sealed: both surveyors sign its canonical bytes (see `seal.py`).
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from schemas.audit_events import AuditEvent
from schemas.media import MediaEvent
from schemas.text import Identifier, LineText, LongText, NameText, ShortText, Text

SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_FILES, MAX_ITEMS = 500, 200  # evidence files per record; answers, surveyors, seals, checklist items
MAX_ROWS, MAX_CELLS = 50, 20  # a table answer (form v2): rows, and cells in one row
Cell = bool | int | float | Text
Row = Annotated[dict[ShortText, Cell], Field(max_length=MAX_CELLS)]
# Money is a decimal text ("2100.00"), dates ISO text: never a float. Table rows came with form v2, the
# options ticked in a several-choice question (XLSForm's select_multiple) with the office's own forms;
# answers of the older shapes parse exactly as before, so their seal bytes are unchanged.
Answer = (bool | int | float | LongText | Annotated[list[Row], Field(max_length=MAX_ROWS)]
          | Annotated[list[Text], Field(max_length=MAX_ITEMS)])


class VisitKind(str, Enum):
    """The two field checks done at the family's door (§5.3.2.2, §5.3.2.3)."""

    HOME_VISIT = "home_visit"  # 入户调查
    NEIGHBOUR_INTERVIEW = "neighbour_interview"  # 邻里访问


class Outcome(str, Enum):
    """How the visit ended."""

    COMPLETED = "completed"
    REFUSED = "refused"  # 拒绝入户 (R13), or a neighbour declining to answer (R15)


class EvidenceKind(str, Enum):
    """Kinds of evidence (留证) a record may carry (R10)."""

    PHOTO = "photo"
    AUDIO = "audio"
    VIDEO = "video"
    SIGNATURE = "signature"
    DOCUMENT = "document"


class Role(str, Enum):
    """What a piece of evidence proves inside its record."""

    SCENE = "scene"  # living environment, documents, daily life
    RESPONDENT_SIGNATURE = "respondent_signature"
    SURVEYOR_SIGNATURE = "surveyor_signature"  # `captured_by` names the surveyor
    CANNOT_SIGN_PROOF = "cannot_sign_proof"  # R12
    REFUSAL_PROOF = "refusal_proof"
    SIGNATURE_STROKES = "signature_strokes"  # the raw pen strokes (t, x, y) behind a signature image
    INTERVIEW = "interview"  # interview audio (访谈录音), a whole-visit recording included


class Location(BaseModel):
    """A position fix (WGS84)."""

    lat: float
    lon: float
    accuracy_m: float | None = None
    mock: bool | None = None  # the device reported a mock (simulated) location; None: it did not say

    @model_serializer(mode="wrap")
    def _omit_unsaid_mock(self, handler: SerializerFunctionWrapHandler) -> dict:
        """A fix whose device said nothing of mocking serialises exactly as before the field existed,
        so seals made over the old shape still verify."""
        data = handler(self)
        if self.mock is None and isinstance(data, dict):
            data.pop("mock", None)
        return data


class Origin(str, Enum):
    """Where a photo or clip came from: the app's own camera at the door, or a file picked (导入)."""

    CAMERA = "camera"
    IMPORT = "import"  # 导入: from the gallery or the file system, its own EXIF time and GPS shown


class LocationFix(BaseModel):
    """The tablet's position at one moment of the visit, with its distance to the household (R10).

    No fix (or a poor one) keeps `reason`, so the reviewer reads why instead of a silent gap."""

    at: datetime
    location: Location | None = None
    distance_m: float | None = None  # geodesic distance to the household's registered location
    flags: list[str] = []  # see schemas.evidence_checks.FLAG_LABELS
    reason: Text = ""


class EvidenceRef(BaseModel):
    """One evidence file, addressed by the SHA-256 of its bytes, hashed when captured."""

    sha256: str = Field(min_length=64, max_length=64, pattern=SHA256_PATTERN)
    size: int = Field(ge=0)
    media_type: ShortText
    kind: EvidenceKind
    role: Role = Role.SCENE
    captured_at: datetime
    captured_by: ShortText  # account username
    filename: LineText = ""
    caption: Text = ""
    location: Location | None = None
    # Added for capture at the door (all optional, so older records parse unchanged):
    origin: Origin | None = None  # camera or 导入; None on records made before this field
    added_at: datetime | None = None  # when it entered the record (captured_at is the shot time, EXIF for imports)
    flags: list[str] = []  # codes for the reviewer: schemas.evidence_checks.FLAG_LABELS
    # signature: raw strokes JSON
    strokes_sha256: str | None = Field(default=None, max_length=64, pattern=SHA256_PATTERN)
    duration_s: float | None = None  # audio and video, when known at capture


class Respondent(BaseModel):
    """The person the team talks to (调查对象), or the neighbour asked (邻里)."""

    name: NameText = ""
    relation: ShortText = ""  # to the family: 本人, 配偶, 邻居 ...
    subject_id: ShortText | None = None


class SurveyRecord(BaseModel):
    """The survey record (调查记录表) of one visit. Everything here is covered by the seal."""

    id: Identifier = Field(min_length=8, max_length=64)
    case_id: ShortText
    kind: VisitKind
    form_id: ShortText
    form_version: int
    outcome: Outcome = Outcome.COMPLETED
    surveyors: list[ShortText] = Field(default=[], max_length=MAX_ITEMS)  # usernames of the team present (R7)
    notification: dict[ShortText, bool] = Field(default={}, max_length=MAX_ITEMS)  # R8 checklist by id
    respondent: Respondent = Respondent()
    answers: dict[ShortText, Answer] = Field(default={}, max_length=MAX_ITEMS)
    refusal_note: Text = ""  # R13
    cannot_sign_reason: Text = ""  # R12
    started_at: datetime
    sealed_at: datetime | None = None
    location: Location | None = None
    device_id: ShortText = ""
    evidence: list[EvidenceRef] = Field(default=[], max_length=MAX_FILES)
    # Added for capture at the door (all optional):
    start_fix: LocationFix | None = None  # position when the visit started
    seal_fix: LocationFix | None = None  # position when it was sealed
    # SHA-256 of the read-back text the respondent saw before signing (R29)
    readback_digest: str = Field(default="", max_length=64, pattern="^([0-9a-f]{64})?$")
    media_log: list[MediaEvent] = []  # recording start / pause / stop, whole-visit recording included
    audit: list[AuditEvent] = []  # the device audit trail (schemas/audit_events.py), covered by the seals

    @model_serializer(mode="wrap")
    def _omit_empty_trail(self, handler: SerializerFunctionWrapHandler) -> dict:
        """A record without a trail serialises exactly as before the trail existed, so seals made over
        the old shape (v1 over the model, queued on tablets) still verify."""
        data = handler(self)
        if not self.audit and isinstance(data, dict):
            data.pop("audit", None)
        return data

    def evidence_with(self, role: Role, captured_by: str | None = None) -> list[EvidenceRef]:
        """Evidence of one role, optionally captured by one person."""
        return [e for e in self.evidence
                if e.role == role and (captured_by is None or e.captured_by == captured_by)]


class SurveyorSeal(BaseModel):
    """One surveyor's Ed25519 signature over the record's digest, made with their own key."""

    surveyor: ShortText
    key_id: ShortText
    signature: str = Field(max_length=128, pattern=r"^[A-Za-z0-9+/=]*$")  # base64 of the 64-byte signature


class SealedRecord(BaseModel):
    """A sealed record as it is queued on the tablet and uploaded to the server."""

    record: SurveyRecord
    seals: list[SurveyorSeal] = Field(default=[], max_length=MAX_ITEMS)
    # 1: seals over SHA-256 of the sorted-key JSON of `record` (old tablets); 2: seals over the exact
    # RFC 8785 bytes carried in `record_jcs` (base64), which are then what `record` is read from.
    seal_version: int = 1
    record_jcs: str | None = Field(default=None, max_length=12 * 1024 * 1024, pattern=r"^[A-Za-z0-9+/]*={0,2}$")
