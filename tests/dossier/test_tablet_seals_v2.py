"""The tablet seals version 2 (R11, R16): the RFC 8785 bytes of the record as built travel with the seals."""
from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_verify.seals import body_from_wire, seal_holds
from field_app.errors import VisitError
from field_app.viewmodels.sealing import seal_record
from schemas.forms import form_for
from schemas.records import SealedRecord, VisitKind
from schemas.seal import public_key_bytes
from schemas.signed import jcs_body
from tests.schemas.factories import TEAM, complete_record

HOME = form_for(VisitKind.HOME_VISIT)
KEYS = {u: Ed25519PrivateKey.generate() for u in TEAM}


def test_the_tablet_seals_the_exact_rfc_8785_bytes_and_sends_them():
    sealed = seal_record(HOME, complete_record(HOME), KEYS, datetime(2026, 11, 20, 10, tzinfo=UTC),
                         lambda u: public_key_bytes(KEYS[u].public_key()))
    assert sealed.seal_version == 2
    body = base64.b64decode(sealed.record_jcs or "")
    assert body == jcs_body(sealed.record)
    wire = SealedRecord.model_validate_json(sealed.model_dump_json()).model_dump(mode="json")
    version, sent = body_from_wire(wire)
    assert (version, sent) == (2, body)
    for seal in sealed.seals:
        assert seal_holds(2, sent, seal.key_id, seal.signature, public_key_bytes(KEYS[seal.surveyor].public_key()))


def test_a_key_that_differs_from_the_registered_one_stops_the_seal():
    other = Ed25519PrivateKey.generate()
    with pytest.raises(VisitError):
        seal_record(HOME, complete_record(HOME), KEYS, datetime(2026, 11, 20, 10, tzinfo=UTC),
                    lambda u: public_key_bytes(other.public_key()))
