"""Letter requests (信函索证, R17, R31): how, when and to whom a request was sent, follow-ups, the answer."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import Field

from schemas.text import WireModel


class Channel(str, Enum):
    EMS = "ems"
    REGISTERED_POST = "registered_post"
    FAX = "fax"
    NETWORK = "network"


CHANNEL_LABELS = {Channel.EMS: "EMS", Channel.REGISTERED_POST: "挂号信", Channel.FAX: "传真",
                  Channel.NETWORK: "网络"}


class LetterIn(WireModel):
    """A letter request as sent (R17); `stamp_requested`: the unit is asked to stamp its proofs (R31)."""

    addressee_unit: str = Field(min_length=1, max_length=200)
    documents: str = Field(min_length=1, max_length=2000)  # what is asked for
    channel: Channel
    sent_at: datetime
    receiver_name: str = Field(min_length=1, max_length=100)
    receiver_phone: str = Field(min_length=5, max_length=30, pattern=r"^[0-9+\- ()]+$")
    tracking_number: str = Field(default="", max_length=60)
    stamp_requested: bool = True
    encrypted: bool = False  # private documents travel encrypted (R17)


class FollowUpIn(WireModel):
    at: datetime
    note: str = Field(min_length=1, max_length=2000)


class FollowUp(WireModel):
    at: datetime
    note: str
    by: str


class Letter(LetterIn):
    id: str
    case_id: str
    created_by: str
    follow_ups: list[FollowUp] = Field(default_factory=list)
    answer_sha256: str = ""
    answer_media_type: str = ""
    answer_size: int = 0
    answered_at: datetime | None = None
    answered_by: str = ""
