"""Sealing: the canonical bytes of a record, their digest, and the surveyors' Ed25519 signatures.

Both sides compute the digest the same way from the parsed record, so whitespace or key order
on the wire never matters, and any change to an answer or to the evidence manifest (which
holds every file's SHA-256) breaks every seal.
"""
from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from schemas.records import SealedRecord, SurveyorSeal, SurveyRecord

SEAL_CONTEXT = b"field-evidence/seal/v1\n"


# Fields added after the first release are left out while at their default, so a record sealed before
# they existed keeps its digest (and its seals stay valid on a newer tablet or server).
LATER_RECORD_FIELDS: dict[str, object] = {"start_fix": None, "seal_fix": None, "readback_digest": "",
                                          "media_log": [], "audit": []}
LATER_EVIDENCE_FIELDS: dict[str, object] = {"origin": None, "added_at": None, "flags": [], "strokes_sha256": None,
                                            "duration_s": None}


def _without_later_defaults(data: dict, later: dict[str, object]) -> dict:
    return {k: v for k, v in data.items() if not (k in later and v == later[k])}


def v1_view(record_json: dict) -> dict:
    """The record JSON a v1 seal covers: later fields at their default left out (record and evidence),
    so the first release's records, which never had them, keep their bytes."""
    data = _without_later_defaults(record_json, LATER_RECORD_FIELDS)
    evidence = data.get("evidence")
    if isinstance(evidence, list):
        data["evidence"] = [_without_later_defaults(e, LATER_EVIDENCE_FIELDS) if isinstance(e, dict) else e
                            for e in evidence]
    return data


def canonical_bytes(record: SurveyRecord) -> bytes:
    """The record as canonical JSON: sorted keys, no spaces, UTF-8 (later fields at default left out)."""
    data = v1_view(record.model_dump(mode="json"))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_digest(record: SurveyRecord) -> bytes:
    """SHA-256 of the canonical bytes: what every surveyor signs."""
    return hashlib.sha256(canonical_bytes(record)).digest()


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def sign_record(record: SurveyRecord, surveyor: str, private_key: Ed25519PrivateKey) -> SurveyorSeal:
    """One surveyor's seal over the record."""
    raw = public_key_bytes(private_key.public_key())
    signature = private_key.sign(SEAL_CONTEXT + record_digest(record))
    return SurveyorSeal(surveyor=surveyor, key_id=key_id(raw),
                        signature=base64.b64encode(signature).decode("ascii"))


def seal_is_valid(record: SurveyRecord, seal: SurveyorSeal, public_raw: bytes) -> bool:
    """Whether the seal is that key's signature over this very record."""
    if key_id(public_raw) != seal.key_id:
        return False
    try:
        signature = base64.b64decode(seal.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, SEAL_CONTEXT + record_digest(record))
    except (InvalidSignature, ValueError):
        return False
    return True


def sealed_surveyors(sealed: SealedRecord) -> set[str]:
    """The distinct surveyors who left a seal (validity not checked)."""
    return {s.surveyor for s in sealed.seals}
