"""The device fleet's contract (issue 18): what the enrolment QR code holds, what a tablet sends to
register and to report its state at each sync, and what the server orders back (wipe).

The QR payload is small JSON (docs/PROVISIONING.md): the server URL, the SHA-256 fingerprint of the
agency CA certificate (DER), the one-time enrolment code and its expiry. The tablet fetches the CA from
the server, refuses it unless its fingerprint is the one in the QR code, and from then on trusts that CA
and nothing else (pinned, field_app/sync/tls.py)."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, Field, ValidationError, field_validator

from schemas.text import NO_CONTROL, Identifier, NameText, ShortText

PAYLOAD_KIND = "hcwq-enrol"  # the "k" of the QR payload: a scanned code of another kind is refused
PAYLOAD_VERSION = 1
CODE_LENGTH = 12  # enrolment codes: 12 characters of an unambiguous alphabet (no 0/O, 1/I/L)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


class ProvisioningPayload(BaseModel):
    """What the console's enrolment QR code holds (short keys: the code stays small and easy to scan)."""

    k: ShortText = PAYLOAD_KIND
    v: int = PAYLOAD_VERSION
    url: Annotated[str, Field(min_length=8, max_length=300, pattern=NO_CONTROL)]  # https (http only to 127.0.0.1)
    # SHA-256 of the agency CA certificate's DER bytes, 64 lowercase hex ("" only over loopback http)
    ca: Annotated[str, Field(max_length=95, pattern=NO_CONTROL)] = ""  # 95: the colon-separated form is accepted
    code: Annotated[str, Field(max_length=40, pattern=NO_CONTROL)]  # the one-time enrolment code
    exp: datetime  # when the code expires (UTC)

    @field_validator("ca")
    @classmethod
    def _fingerprint(cls, value: str) -> str:
        value = value.strip().lower().replace(":", "")
        if value and not _FINGERPRINT.match(value):
            raise ValueError("CA 指纹须为 64 位十六进制 SHA-256")
        return value

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = normalise_code(value)
        if not _CODE.match(value):
            raise ValueError("登记码格式不对")
        return value

    def text(self) -> str:
        """The JSON text put in the QR code (compact, keys in a fixed order)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


class PayloadInvalid(ValueError):
    """A scanned or typed payload that is not an enrolment code of this product; the message is Chinese."""


def parse_payload(text: str) -> ProvisioningPayload:
    """The payload in a scanned or typed text, or `PayloadInvalid` with a Chinese message."""
    try:
        raw = json.loads(text.strip())
    except ValueError:
        raise PayloadInvalid("无法识别：请扫描控制台“设备登记”页面上的二维码，或粘贴其下方的登记内容") from None
    if not isinstance(raw, dict) or raw.get("k") != PAYLOAD_KIND:
        raise PayloadInvalid("这不是本系统的设备登记二维码")
    if raw.get("v") != PAYLOAD_VERSION:
        raise PayloadInvalid("登记二维码的版本与本应用不符，请更新应用")
    try:
        return ProvisioningPayload.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise PayloadInvalid(f"登记内容有误：{first.get('loc', ('',))[0]} {first.get('msg', '')}") from None


def normalise_code(value: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its canonical form."""
    return re.sub(r"[\s-]", "", value).upper()


def ca_fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a certificate's DER bytes, as the QR code carries it."""
    return hashlib.sha256(der).hexdigest()


class NewEnrolment(BaseModel):
    """An administrator's request for an enrolment code."""

    org_id: Identifier
    team_id: ShortText = ""  # optional: the tablet of one team
    note: NameText = ""  # e.g. which tablet (its asset number)


class EnrolmentCreated(BaseModel):
    """The code and the QR payload holding it (shown once; only its hash is kept)."""

    enrolment_id: Identifier
    payload: ProvisioningPayload
    payload_text: Annotated[str, Field(max_length=1000, pattern=NO_CONTROL)]


class DeviceEnrol(BaseModel):
    """What a tablet sends with the code to register itself."""

    code: Annotated[str, Field(min_length=1, max_length=40, pattern=NO_CONTROL)]
    device_id: Identifier
    app_version: ShortText = ""


class DeviceEnrolled(BaseModel):
    """The server's answer: the device's registration and the office's name to show."""

    device_id: Identifier
    org_id: Identifier
    org_name: NameText
    team_id: ShortText = ""
    office_name: NameText


class DeviceReport(BaseModel):
    """A tablet's state, sent at each sync and sign-in (the fleet list shows it)."""

    app_version: ShortText = ""
    form_versions: list[ShortText] = Field(default_factory=list, max_length=50)
    outbox_backlog: int = Field(default=0, ge=0)  # sealed records not yet confirmed by the server
    free_bytes: int = Field(default=0, ge=0)  # free storage where the tablet keeps its data
    wiped: bool = False  # the tablet obeyed a wipe order (after uploading, when told so)


class DeviceOrders(BaseModel):
    """The server's answer to a report: wipe this tablet (after uploading its sealed records if told so)."""

    wipe: bool = False
    upload_first: bool = False


class DeviceStatus(str, Enum):
    """A device's standing in the fleet."""

    ACTIVE = "active"
    LOST_UPLOAD_FIRST = "lost_upload_first"  # lost: may only upload what it sealed, then wipes
    LOST = "lost"  # lost: every token and key refused; wipes at its next contact
    WIPED = "wiped"  # it reported the wipe done


STATUS_NAMES = {DeviceStatus.ACTIVE: "在用", DeviceStatus.LOST_UPLOAD_FIRST: "已报丢失（待上传后清除）",
                DeviceStatus.LOST: "已报丢失（待清除）", DeviceStatus.WIPED: "已清除"}


class LostDevice(BaseModel):
    """"设备丢失": whether the tablet may first upload what it sealed (the office chooses)."""

    upload_first: bool = False


class DeviceView(BaseModel):
    """One row of the fleet list."""

    device_id: Identifier
    org_id: ShortText = ""
    team_id: ShortText = ""
    status: DeviceStatus
    enrolled_at: datetime | None = None
    last_user: ShortText = ""
    last_sign_in_at: datetime | None = None
    last_sync_at: datetime | None = None
    app_version: ShortText = ""
    form_versions: list[ShortText] = Field(default_factory=list)
    outbox_backlog: int = 0
    free_bytes: int = 0
    lost_at: datetime | None = None
    wiped_at: datetime | None = None
