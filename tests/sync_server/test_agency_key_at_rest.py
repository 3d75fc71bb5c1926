"""The agency's signing key protected at rest (issue 17): a passphrase-encrypted PKCS#8 file (a plain key
of an existing install is migrated when a passphrase is set), or a key held in a PKCS#11 token (a real
SoftHSM2 token initialised for the test), chosen in the settings; either signs checkpoints and dossiers
the offline verifier accepts."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from dossier_verify.dossier import verify
from schemas import checkpoint
from sync_server.app import create_app
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from sync_server.transparency.agency_key import PRIVATE_FILE, load_agency_key, load_or_create
from sync_server.transparency.key_store import AgencyKeyLocked, is_encrypted
from tests.sync_server.dossier_helpers import agency_key_id, export, submit_both_versions
from tests.sync_server.helpers import FieldTeam, api_client

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def test_a_new_key_is_written_encrypted_and_opens_only_with_its_passphrase(tmp_path: Path):
    key = load_agency_key(Settings(tmp_path, agency_key_passphrase="correct horse battery"))
    pem = (tmp_path / PRIVATE_FILE).read_bytes()
    assert is_encrypted(tmp_path / PRIVATE_FILE) and b"PRIVATE KEY-----" in pem
    with pytest.raises(TypeError):
        load_pem_private_key(pem, password=None)
    assert load_agency_key(Settings(tmp_path, agency_key_passphrase="correct horse battery")).public_raw == \
        key.public_raw
    with pytest.raises(AgencyKeyLocked, match="SYNC_AGENCY_KEY_PASSPHRASE"):
        load_agency_key(Settings(tmp_path))
    with pytest.raises(AgencyKeyLocked, match="口令不正确"):
        load_agency_key(Settings(tmp_path, agency_key_passphrase="wrong"))
    assert "correct horse" not in repr(Settings(tmp_path, agency_key_passphrase="correct horse battery"))
    assert Settings.from_env(tmp_path, {"SYNC_AGENCY_KEY_PASSPHRASE": "x"}).agency_key_passphrase == "x"


def test_an_existing_plain_key_is_migrated_when_a_passphrase_is_set_and_keeps_its_identity(
        team: FieldTeam, settings: Settings, clock):
    """The seeded install's plain key: set a passphrase, restart; the same key (same key id), now encrypted,
    signs the next dossier."""
    path = settings.data_dir / PRIVATE_FILE
    before = agency_key_id(team)  # the previous release's install: a plain key file
    assert not is_encrypted(path)
    protected = settings.replace(agency_key_passphrase="Archive-Key-Passphrase-2026")
    app = create_app(protected, clock=clock)
    with api_client(app) as client:
        team.client = client
        submit_both_versions(team)
        dossier = export(team, DEMO_CASE_ID)
        assert agency_key_id(team) == before
    app.state.services.engine.dispose()
    assert is_encrypted(path) and os.stat(path).st_mode & 0o777 == 0o600
    assert verify(io.BytesIO(dossier), trusted_key_id=before).ok
    assert load_or_create(settings.data_dir, "Archive-Key-Passphrase-2026").key_id == before


@pytest.fixture
def softhsm_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A fresh SoftHSM2 token (label, user PIN) in a temporary token directory."""
    util = shutil.which("softhsm2-util")
    assert util and Path(SOFTHSM_MODULE).exists(), "SoftHSM2 is missing: run `make system-deps` (Debian softhsm2)"
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run([util, "--init-token", "--free", "--label", "agency-test", "--pin", "246810",
                    "--so-pin", "13579111"], check=True, capture_output=True)
    return "agency-test", "246810"


def test_a_key_in_a_softhsm2_token_signs_checkpoints_and_dossiers_and_never_touches_the_disk(
        team: FieldTeam, settings: Settings, softhsm_token: tuple[str, str], clock):
    label, pin = softhsm_token
    (settings.data_dir / PRIVATE_FILE).unlink(missing_ok=True)  # this install keeps no key file at all
    (settings.data_dir / "signed_checkpoints.jsonl").unlink(missing_ok=True)  # a new key: a new log memory
    in_token = settings.replace(agency_key_store="pkcs11", pkcs11_module=SOFTHSM_MODULE, pkcs11_token=label,
                       pkcs11_pin=pin, pkcs11_key_label="agency-log-2026")
    key = load_agency_key(in_token)
    signature = key.sign_raw(b"field-evidence test")
    Ed25519PublicKey.from_public_bytes(key.public_raw).verify(signature, b"field-evidence test")
    app = create_app(in_token, clock=clock)
    with api_client(app) as client:
        team.client = client
        submit_both_versions(team)
        dossier = export(team, DEMO_CASE_ID)
        published = agency_key_id(team)
        answer = client.get("/api/v1/log/checkpoint", headers=team.headers["wangfang"]).json()
    app.state.services.engine.dispose()
    assert published == key.key_id and not (settings.data_dir / PRIVATE_FILE).exists()
    assert checkpoint.parse(answer["checkpoint"], key.public_raw).size == answer["size"]
    assert verify(io.BytesIO(dossier), trusted_key_id=key.key_id).ok
    with pytest.raises(AgencyKeyLocked, match="PKCS#11"):
        load_agency_key(in_token.replace(pkcs11_pin="000000", pkcs11_key_label="other"))
