"""Seals that last (R11, R16, R20): records sealed by every released format still verify, on the server's
path and with the standalone verifier, after the record schema grows a field."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from dossier_verify.seals import body_from_wire, seal_holds
from schemas.records import SealedRecord, SurveyRecord
from schemas.signed import BodyError, reading, seal_valid_over, signed_body, v1_body

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures" / "seals").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class GrownRecord(SurveyRecord):
    """A copy of SurveyRecord as a later release might have it: one more field, with a default."""

    weather: str = "晴"


class GrownSealed(SealedRecord):
    record: GrownRecord


def server_verdicts(fixture: dict, model: type[SealedRecord]) -> list[bool]:
    """What the server decides per seal: bytes from the wire as received, the model only for reading."""
    raw = fixture["sealed"]
    sealed = model.model_validate(raw)
    body = signed_body(sealed, raw["record"])
    return [seal_valid_over(sealed.seal_version, body, s, base64.b64decode(fixture["public_keys"][s.surveyor]))
            for s in sealed.seals]


def standalone_verdicts(fixture: dict) -> list[bool]:
    """What the verifier written from docs/SEALS.md alone decides per seal."""
    version, body = body_from_wire(fixture["sealed"])
    return [seal_holds(version, body, s["key_id"], s["signature"],
                       base64.b64decode(fixture["public_keys"][s["surveyor"]]))
            for s in fixture["sealed"]["seals"]]


def test_there_are_fixtures_of_both_seal_versions():
    assert {load(p)["seal_version"] for p in FIXTURES} == {1, 2}
    assert len(FIXTURES) >= 4


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_verifies_on_the_server_and_in_the_standalone_verifier(path: Path):
    fixture = load(path)
    assert server_verdicts(fixture, SealedRecord) == [True, True]
    assert standalone_verdicts(fixture) == [True, True]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_still_verifies_after_the_schema_grows_a_field(path: Path):
    fixture = load(path)
    grown = GrownSealed.model_validate(fixture["sealed"])
    assert grown.record.weather == "晴"  # the model really grew: its dump now has one more key
    assert server_verdicts(fixture, GrownSealed) == [True, True]
    assert standalone_verdicts(fixture) == [True, True]


def test_the_old_way_breaks_when_the_schema_grows():
    """Why the bytes are kept: re-serialising the grown model (the first release's verifier) fails."""
    fixture = load(next(p for p in FIXTURES if p.stem.startswith("v1")))
    grown = GrownSealed.model_validate(fixture["sealed"])
    assert v1_body(grown.record.model_dump(mode="json")) != body_from_wire(fixture["sealed"])[1]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_server_and_standalone_verifier_agree_on_altered_records(path: Path):
    fixture = load(path)
    sealed = fixture["sealed"]
    if fixture["seal_version"] == 2:
        body = base64.b64decode(sealed["record_jcs"]).replace("王建国".encode(), "王建军".encode())
        sealed["record_jcs"] = base64.b64encode(body).decode()
    else:
        sealed["record"]["respondent"]["name"] = "王建军"
    assert server_verdicts(fixture, SealedRecord) == standalone_verdicts(fixture) == [False, False]


def test_v2_reads_the_record_from_the_signed_bytes_not_the_wire_copy():
    fixture = load(next(p for p in FIXTURES if p.stem.startswith("v2")))
    sealed = SealedRecord.model_validate(fixture["sealed"])
    forged = sealed.model_copy(update={"record": sealed.record.model_copy(update={"refusal_note": "伪造"})})
    assert reading(forged).record == sealed.record


def test_a_non_canonical_v2_body_is_refused():
    fixture = load(next(p for p in FIXTURES if p.stem.startswith("v2")))
    body = base64.b64decode(fixture["sealed"]["record_jcs"])
    spaced = json.dumps(json.loads(body), indent=1).encode()
    sealed = SealedRecord.model_validate({**fixture["sealed"], "record_jcs": base64.b64encode(spaced).decode()})
    with pytest.raises(BodyError):
        signed_body(sealed)
