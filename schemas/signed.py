"""The exact bytes a seal covers, by seal version (spec: docs/SEALS.md).

v1 (first release): each surveyor signs  b"field-evidence/seal/v1\\n" + SHA-256(B1)  where B1 is the record
   JSON object with sorted keys, no spaces, UTF-8 (`json.dumps(..., sort_keys=True, separators=(",", ":"),
   ensure_ascii=False)`). Verifying it over the record *as sent* (not a re-serialised model) keeps it
   valid after the schema grows.
v2: the tablet serialises the record object once with RFC 8785 (JCS) into B2 and each surveyor signs
   b"field-evidence/seal/v2\\n" + B2. B2 travels base64 in `SealedRecord.record_jcs`; the server keeps B2
   and reads the record from it. B2 is defined by the JSON, not by any model, so fields added later
   never change it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from schemas.records import SealedRecord, SurveyorSeal, SurveyRecord
from schemas.seal import SEAL_CONTEXT, key_id, public_key_bytes, v1_view

SEAL_V2_CONTEXT = b"field-evidence/seal/v2\n"


class BodyError(ValueError):
    """The sealed record's signed bytes are missing, not base64, not JSON or not canonical."""


def v1_body(record_json: Mapping[str, Any]) -> bytes:
    """B1: the record JSON object with sorted keys and no spaces, UTF-8 (fields added after the first
    release left out while at their default, `seal.v1_view`: what the first release's tablets signed)."""
    return json.dumps(v1_view(dict(record_json)), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def jcs_body(record: SurveyRecord) -> bytes:
    """B2: the record as the tablet builds it, canonicalised with RFC 8785."""
    return rfc8785.dumps(record.model_dump(mode="json"))


def seal_message(version: int, body: bytes) -> bytes:
    """What the Ed25519 key signs for this version and body."""
    if version == 1:
        return SEAL_CONTEXT + hashlib.sha256(body).digest()
    if version == 2:
        return SEAL_V2_CONTEXT + body
    raise BodyError(f"未知的签章版本 {version}")


def body_digest(body: bytes) -> str:
    """The record's digest in hex: SHA-256 of its signed bytes (v1: equals the old record_digest)."""
    return hashlib.sha256(body).hexdigest()


def check_canonical(body: bytes) -> dict[str, Any]:
    """The JSON object B2 holds, if B2 is exactly its own RFC 8785 form."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BodyError(f"签章内容不是 JSON：{error}") from None
    if not isinstance(parsed, dict):
        raise BodyError("签章内容不是 JSON 对象")
    try:
        again = rfc8785.dumps(parsed)
    except rfc8785.CanonicalizationError as error:
        raise BodyError(f"签章内容无法规范化：{error}") from None
    if again != body:
        raise BodyError("签章内容不是 RFC 8785 规范形式")
    return parsed


def signed_body(sealed: SealedRecord, raw_record: Mapping[str, Any] | None = None) -> bytes:
    """The exact bytes the seals cover. For v1, pass the record JSON as received when you have it."""
    if sealed.seal_version == 2:
        if not sealed.record_jcs:
            raise BodyError("第 2 版签章缺少 record_jcs")
        try:
            body = base64.b64decode(sealed.record_jcs, validate=True)
        except (binascii.Error, ValueError):
            raise BodyError("record_jcs 不是 base64") from None
        check_canonical(body)
        return body
    if sealed.seal_version != 1:
        raise BodyError(f"未知的签章版本 {sealed.seal_version}")
    return v1_body(raw_record if raw_record is not None else sealed.record.model_dump(mode="json"))


def reading(sealed: SealedRecord) -> SealedRecord:
    """The sealed record with `record` read from its signed bytes (v2), so what is shown is what was signed."""
    if sealed.seal_version != 2:
        return sealed
    record = SurveyRecord.model_validate_json(signed_body(sealed))
    return sealed.model_copy(update={"record": record})


def seal_valid_over(version: int, body: bytes, seal: SurveyorSeal, public_raw: bytes) -> bool:
    """Whether the seal is that key's signature over these exact bytes."""
    if key_id(public_raw) != seal.key_id:
        return False
    try:
        signature = base64.b64decode(seal.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, seal_message(version, body))
    except (InvalidSignature, ValueError):
        return False
    return True


def seal_v2(record: SurveyRecord, keys: Mapping[str, Ed25519PrivateKey]) -> SealedRecord:
    """The record sealed (v2) by each named surveyor's key, in the order given."""
    body = jcs_body(record)
    seals = []
    for surveyor, key in keys.items():
        raw = public_key_bytes(key.public_key())
        signature = key.sign(SEAL_V2_CONTEXT + body)
        seals.append(SurveyorSeal(surveyor=surveyor, key_id=key_id(raw),
                                  signature=base64.b64encode(signature).decode("ascii")))
    return SealedRecord(record=record, seals=seals, seal_version=2,
                        record_jcs=base64.b64encode(body).decode("ascii"))


def seal_verifies(sealed: SealedRecord, seal: SurveyorSeal, public_raw: bytes) -> bool:
    """Whether one seal of a sealed record (any version) holds over its signed bytes."""
    try:
        body = signed_body(sealed)
    except BodyError:
        return False
    return seal_valid_over(sealed.seal_version, body, seal, public_raw)
