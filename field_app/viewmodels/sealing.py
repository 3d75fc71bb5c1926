"""Sealing a finished record: pure, given the record, the unlocked keys and the time."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from field_app.errors import VisitError
from schemas.completeness import missing_seals
from schemas.device_audit import sealed_event
from schemas.forms import Form
from schemas.records import SealedRecord, SurveyRecord
from schemas.signed import seal_v2, seal_valid_over, signed_body


def seal_record(form: Form, record: SurveyRecord, keys: Mapping[str, Ed25519PrivateKey], sealed_at: datetime,
                public_key_of: Callable[[str], bytes | None]) -> SealedRecord:
    """The record stamped `sealed_at` and signed by each surveyor's key, each seal checked against the
    public key this tablet registered for that surveyor (R11, R16)."""
    trail = [*record.audit, sealed_event(",".join(record.surveyors), sealed_at)]  # the seal ends the trail
    final = record.model_copy(update={"sealed_at": sealed_at, "audit": trail})
    sealed = seal_v2(final, {u: keys[u] for u in record.surveyors})  # RFC 8785 bytes (docs/SEALS.md)
    body = signed_body(sealed)
    for seal in sealed.seals:
        if not seal_valid_over(sealed.seal_version, body, seal, public_key_of(seal.surveyor) or b""):
            raise VisitError(f"调查人员 {seal.surveyor} 的本机密钥与登记的公钥不一致")
    if missing_seals(form, sealed):
        raise VisitError("封存签名不完整")
    return sealed
