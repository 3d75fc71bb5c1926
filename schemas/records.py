"""The survey record: what a survey team writes at the door, and the evidence manifest behind it.

A record is minted on the tablet (its `id` is a UUID made there) and becomes immutable once
sealed: both surveyors sign its canonical bytes (see `seal.py`).
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, Field

from schemas.text import Identifier, LineText, LongText, NameText, ShortText, Text

SHA256_PATTERN = r"^[0-9a-f]{64}$"
Answer = bool | int | float | LongText
MAX_FILES, MAX_ITEMS = 500, 200  # evidence files per record; answers, surveyors, seals, checklist items


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


class Location(BaseModel):
    """A position fix (WGS84)."""

    lat: float
    lon: float
    accuracy_m: float | None = None


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
