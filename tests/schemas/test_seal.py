"""Sealing: each surveyor's Ed25519 signature covers every answer and every file hash (R10, R11)."""
import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schemas.forms import form_for
from schemas.records import SealedRecord, SurveyRecord, VisitKind
from schemas.seal import canonical_bytes, public_key_bytes, record_digest, seal_is_valid, sign_record
from tests.schemas.factories import complete_record

HOME = form_for(VisitKind.HOME_VISIT)


def test_a_seal_verifies_with_the_signers_public_key_only():
    record = complete_record(HOME)
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    seal = sign_record(record, "zhangwei", key)
    assert seal_is_valid(record, seal, public_key_bytes(key.public_key()))
    assert not seal_is_valid(record, seal, public_key_bytes(other.public_key()))


def test_changing_an_answer_or_a_file_hash_breaks_the_seal():
    record = complete_record(HOME)
    key = Ed25519PrivateKey.generate()
    raw = public_key_bytes(key.public_key())
    seal = sign_record(record, "zhangwei", key)
    altered = record.model_copy(deep=True)
    altered.answers["monthly_income_yuan"] = 99999
    assert not seal_is_valid(altered, seal, raw)
    altered = record.model_copy(deep=True)
    altered.evidence[0].sha256 = "0" * 64
    assert not seal_is_valid(altered, seal, raw)


def test_a_forged_signature_is_refused_not_raised():
    record = complete_record(HOME)
    key = Ed25519PrivateKey.generate()
    seal = sign_record(record, "zhangwei", key)
    raw = public_key_bytes(key.public_key())
    for bad in ["not base64!", base64.b64encode(b"x" * 64).decode(), ""]:
        assert not seal_is_valid(record, seal.model_copy(update={"signature": bad}), raw)


def test_the_digest_survives_the_trip_over_the_wire():
    """The server re-parses the JSON; the digest must not change (Chinese text, datetimes, numbers)."""
    record = complete_record(HOME)
    record.answers["housing_area_m2"] = 45.5
    sealed = SealedRecord(record=record, seals=[sign_record(record, "lina", Ed25519PrivateKey.generate())])
    again = SealedRecord.model_validate_json(sealed.model_dump_json(indent=2))
    assert canonical_bytes(again.record) == canonical_bytes(record)
    assert record_digest(again.record) == record_digest(record)
    assert "王建国".encode() in canonical_bytes(record)


def test_canonical_bytes_do_not_depend_on_answer_order():
    record = complete_record(HOME)
    reordered = SurveyRecord.model_validate({**record.model_dump(), "answers": dict(reversed(record.answers.items()))})
    assert canonical_bytes(reordered) == canonical_bytes(record)
