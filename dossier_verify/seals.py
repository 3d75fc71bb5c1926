"""Seal verification from the spec (docs/SEALS.md), independent of the application's models."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CONTEXTS = {1: b"field-evidence/seal/v1\n", 2: b"field-evidence/seal/v2\n"}


def key_id(public_raw: bytes) -> str:
    """First 16 hex digits of SHA-256 of the 32 raw public key bytes."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def message(version: int, body: bytes) -> bytes:
    """v1: context + SHA-256(body); v2: context + body."""
    if version == 1:
        return CONTEXTS[1] + hashlib.sha256(body).digest()
    if version == 2:
        return CONTEXTS[2] + body
    raise ValueError(f"unknown seal version {version}")


def body_problem(version: int, body: bytes) -> str | None:
    """Why these bytes cannot be a record body of this version (None if they can)."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "not UTF-8 JSON"
    if not isinstance(parsed, dict):
        return "not a JSON object"
    if version == 2:
        try:
            if rfc8785.dumps(parsed) != body:
                return "not in RFC 8785 canonical form"
        except rfc8785.CanonicalizationError:
            return "cannot be canonicalised"
    elif version == 1:
        again = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if again != body:
            return "not sorted-key compact JSON"
    else:
        return f"unknown seal version {version}"
    return None


def verify_signature(public_raw: bytes, signature_b64: str, signed: bytes) -> bool:
    """Whether signature_b64 is the raw Ed25519 key's signature over signed."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, signed)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def seal_holds(version: int, body: bytes, seal_key_id: str, signature_b64: str, public_raw: bytes) -> bool:
    """Whether one surveyor's seal holds: right key id, and a valid signature over the record bytes."""
    if key_id(public_raw) != seal_key_id:
        return False
    try:
        signed = message(version, body)
    except ValueError:
        return False
    return verify_signature(public_raw, signature_b64, signed)


# docs/SEALS.md, version 1: fields added after the first release are left out while at their default.
LATER_RECORD: dict[str, object] = {"start_fix": None, "seal_fix": None, "readback_digest": "", "media_log": [],
                                   "audit": []}
LATER_EVIDENCE: dict[str, object] = {"origin": None, "added_at": None, "flags": [], "strokes_sha256": None,
                                     "duration_s": None}


def _drop_later(data: dict, later: dict) -> dict:
    return {k: v for k, v in data.items() if not (k in later and v == later[k])}


def v1_bytes(record: dict) -> bytes:
    """B1 of a record object as sent (docs/SEALS.md, version 1)."""
    data = _drop_later(record, LATER_RECORD)
    if isinstance(data.get("evidence"), list):
        data["evidence"] = [_drop_later(e, LATER_EVIDENCE) if isinstance(e, dict) else e for e in data["evidence"]]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def body_from_wire(sealed: dict) -> tuple[int, bytes]:
    """The seal version and signed bytes of a sealed record as the tablet sent it (a parsed JSON object):
    v2 carries them base64 in `record_jcs`; v1 rebuilds B1 from the `record` object as sent."""
    version = int(sealed.get("seal_version", 1))
    if version == 2:
        return 2, base64.b64decode(sealed["record_jcs"], validate=True)
    if version == 1:
        return 1, v1_bytes(sealed["record"])
    raise ValueError(f"unknown seal version {version}")
