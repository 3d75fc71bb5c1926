"""The X.509 part of the units' client certificates (issue 20, sync_server/edge/client_certs.py): a CSR is
accepted only with a valid self-signature and an EC P-256/P-384 or RSA >= 2048 key, each refusal in Chinese;
the certificate the agency CA signs is a one-year client certificate (clientAuth, no CA bit) naming the unit,
whatever subject the CSR asked for; a certificate signed offline is checked before it is bound (issued by
the agency CA, a client certificate, for this unit, in its validity). `tls sign-unit` does the signing where
the CA key is kept."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from schemas.problems import Code, ProblemError
from sync_server.__main__ import main
from sync_server.edge import client_certs
from sync_server.edge.tls import TlsFiles
from tests.sync_server.unit_cert_helpers import agency_ca, csr_pem, ec_key, escaped, rsa_key

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return agency_ca(tmp_path_factory.mktemp("agency"), NOW)


def _sign(ca: TlsFiles, csr: bytes, unit_id: str = "longxi", now: datetime = NOW) -> x509.Certificate:
    return client_certs.sign_csr(client_certs.load_csr(csr), client_certs.load_ca_key(ca.ca_key.read_bytes()),
                                 x509.load_pem_x509_certificate(ca.ca_cert.read_bytes()), unit_id,
                                 "渝北区龙溪街道办事处", now)


def _refusal(data: bytes | str) -> str:
    with pytest.raises(ProblemError) as refused:
        client_certs.load_csr(data)
    assert refused.value.code == Code.VALIDATION
    return refused.value.detail


@pytest.mark.parametrize("key", [ec_key(), ec_key(ec.SECP384R1()), rsa_key(2048)], ids=["P-256", "P-384", "RSA-2048"])
def test_accepted_keys(key) -> None:
    assert client_certs.load_csr(csr_pem(key)).is_signature_valid


def test_weak_or_unsupported_keys_are_refused_in_chinese() -> None:
    assert "至少需要 2048 位" in _refusal(csr_pem(rsa_key(1024)))
    assert "P-256 或 P-384" in _refusal(csr_pem(ec_key(ec.SECP521R1())))
    assert "P-256 或 P-384" in _refusal(csr_pem(ec_key(ec.SECP256K1())))


def test_a_tampered_or_unreadable_csr_is_refused() -> None:
    good = x509.load_pem_x509_csr(csr_pem(ec_key()))
    from cryptography.hazmat.primitives.serialization import Encoding
    der = bytearray(good.public_bytes(Encoding.DER))
    der[-5] ^= 0x01  # a bit of the signature flipped: the CSR no longer proves its key
    assert "签名无效" in _refusal(bytes(der))
    assert "无法读取证书请求" in _refusal(b"-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n")
    assert "请选择证书请求文件" in _refusal("  ")
    assert "过大" in _refusal(b"x" * (client_certs.MAX_PEM_BYTES + 1))


def test_the_signed_certificate_is_a_one_year_client_certificate_naming_the_unit(ca: TlsFiles) -> None:
    cert = _sign(ca, csr_pem(ec_key(), common_name="admin; CN=agency CA"))  # the CSR's subject is not used
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca.ca_cert.read_bytes()))
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "longxi"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "渝北区龙溪街道办事处"
    assert cert.not_valid_after_utc - NOW == timedelta(days=365)
    facts = client_certs.facts_of(cert)
    assert facts.unit_id == "longxi" and len(facts.fingerprint) == 64 and facts.serial == f"{cert.serial_number:X}"
    assert client_certs.from_header(escaped(facts.pem)) == cert  # as nginx forwards it
    assert client_certs.from_header("%2D%2D%2Dgarbage") is None


def test_an_offline_signed_certificate_is_checked_before_it_is_bound(ca: TlsFiles, tmp_path: Path) -> None:
    ca_cert = x509.load_pem_x509_certificate(ca.ca_cert.read_bytes())
    pem = client_certs.facts_of(_sign(ca, csr_pem(ec_key()))).pem
    assert client_certs.check_issued(pem, ca_cert, "longxi", NOW + timedelta(days=1)).unit_id == "longxi"
    cases = {
        "不是「other」": (pem, "other", NOW),
        "不在有效期内": (pem, "longxi", NOW + timedelta(days=366)),
        "不是本机构 CA 签发": (client_certs.facts_of(_sign(agency_ca(tmp_path / "foreign", NOW),
                                                       csr_pem(ec_key()))).pem, "longxi", NOW),
        "不是客户端证书": (ca.server_cert.read_text(), "longxi", NOW),  # serverAuth, from the same CA
        "无法读取证书": ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "longxi", NOW),
    }
    for expected, (data, unit, when) in cases.items():
        with pytest.raises(ProblemError) as refused:
            client_certs.check_issued(data, ca_cert, unit, when)
        assert expected in refused.value.detail, (expected, refused.value.detail)


def test_tls_sign_unit_signs_where_the_ca_key_is_kept(ca: TlsFiles, tmp_path: Path, capsys) -> None:
    (tmp_path / "unit.csr").write_bytes(csr_pem(rsa_key(2048)))
    code = main(["tls", "sign-unit", "--data-dir", str(ca.directory.parent), "--unit-id", "longxi",
                 "--unit-name", "渝北区龙溪街道办事处", "--csr", str(tmp_path / "unit.csr"),
                 "--out", str(tmp_path / "unit.crt")])
    assert code == 0, capsys.readouterr()
    facts = client_certs.check_issued((tmp_path / "unit.crt").read_bytes(),
                                      x509.load_pem_x509_certificate(ca.ca_cert.read_bytes()), "longxi",
                                      datetime.now(UTC))
    assert facts.fingerprint in capsys.readouterr().out
    (tmp_path / "weak.csr").write_bytes(csr_pem(rsa_key(1024)))
    refused = main(["tls", "sign-unit", "--data-dir", str(ca.directory.parent), "--unit-id", "longxi",
                    "--unit-name", "x", "--csr", str(tmp_path / "weak.csr"), "--out", str(tmp_path / "weak.crt")])
    assert refused == 2 and "至少需要 2048 位" in capsys.readouterr().err
    assert not (tmp_path / "weak.crt").exists()
