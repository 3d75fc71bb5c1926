"""An example client for an entrusting unit's system (docs/EXCHANGE.md): submit an entrustment with its
委托名单 and 申报情况, upload the scans, hand the materials in, poll the result, and check a pushed result's
HMAC signature. Needs only httpx and the standard library (and the openssl command to make a key); a unit may
copy it as it is.

    client = ExchangeClient("https://hc.example.gov.cn", key="hcx_…")
    # or with the unit's client certificate from the agency CA, on the units' port (docs/EXCHANGE.md):
    make_key_and_csr("longxi", Path("certs"))        # certs/longxi.key stays here; send certs/longxi.csr
    client = ExchangeClient("https://hc.example.gov.cn:8443", cert=(Path("certs/longxi.crt"),
                            Path("certs/longxi.key")), verify="agency-ca.crt")
    view = client.submit({...})                       # the same reference again: the same case
    client.upload(reference, "entrustment", open("委托书.pdf", "rb").read())
    client.hand_in(reference)
    result = client.result(reference)                 # status, deadline, reports, 申报与核查对照

and on the webhook side `verify(secret, body, request.headers["X-Exchange-Signature"])`, then apply each
message once: remember the last `seq` applied and ignore a message whose seq is not higher."""
from __future__ import annotations

import hashlib
import hmac
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

PREFIX = "/exchange/v1/entrustments"


class ExchangeError(Exception):
    """A refusal from the server: its stable code (schemas/problems.py), Chinese title and detail."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('code')}: {problem.get('title')} {problem.get('detail', '')}")
        self.status, self.code, self.problem = status, problem.get("code", ""), problem


class ExchangeClient:
    """One unit's system talking to the agency's server with the unit's key, or its client certificate
    (`cert` = (certificate, private key) files; `verify` = the agency CA certificate file, or True)."""

    def __init__(self, base_url: str, key: str = "", *, cert: tuple[Path, Path] | None = None,
                 verify: Any = True, timeout: float = 30) -> None:
        if cert is not None or isinstance(verify, (str, Path)):  # a CA file, and the unit's own certificate
            context = ssl.create_default_context(cafile=str(verify) if isinstance(verify, (str, Path)) else None)
            if cert is not None:
                context.load_cert_chain(str(cert[0]), str(cert[1]))
            verify = context
        self.http = httpx.Client(base_url=base_url.rstrip("/"), verify=verify, timeout=timeout,
                                 headers={"Authorization": f"Bearer {key}"} if key else {})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ExchangeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"code": "", "title": response.text[:200]}
            raise ExchangeError(response.status_code, problem)
        return response.json() if response.headers.get("content-type", "").endswith("json") else response.content

    def submit(self, entrustment: dict[str, Any]) -> dict[str, Any]:
        """POST the entrustment; `created` says whether this call made the case (False: known reference)."""
        return self._answer(self.http.post(PREFIX, json=entrustment))

    def upload(self, reference: str, kind: str, data: bytes, subject_position: int | None = None,
               form: str | None = None) -> dict[str, Any]:
        """A scan: kind entrustment (委托书), authorization (授权书, with form) or id_proof, by the subject's 序号."""
        params: dict[str, Any] = {"kind": kind}
        if subject_position is not None:
            params["subject_position"] = subject_position
        if form:
            params["form"] = form
        return self._answer(self.http.post(f"{PREFIX}/{reference}/documents", params=params, content=data))

    def hand_in(self, reference: str) -> dict[str, Any]:
        """Hand the complete materials in for the agency's conformity review."""
        return self._answer(self.http.post(f"{PREFIX}/{reference}/submit"))

    def result(self, reference: str) -> dict[str, Any]:
        """Where the case stands, with the reports issued and the declaration beside what was verified."""
        return self._answer(self.http.get(f"{PREFIX}/{reference}"))

    def report_pdf(self, pdf_url: str) -> bytes:
        return self._answer(self.http.get(pdf_url))


def make_key_and_csr(unit_id: str, directory: Path, curve: str = "P-256") -> tuple[Path, Path]:
    """The unit's private key (kept by the unit, owner-only) and its certificate request for the agency, with
    the command docs/EXCHANGE.md gives: `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
    -keyout <id>.key -out <id>.csr -subj /CN=<id>`. The agency names the certificate's subject itself."""
    directory.mkdir(parents=True, exist_ok=True)
    key, csr = directory / f"{unit_id}.key", directory / f"{unit_id}.csr"
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", f"ec_paramgen_curve:{curve}", "-nodes",
                    "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={unit_id}"],
                   check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return key, csr


def verify(secret: str, body: bytes, header: str, tolerance_s: int = 300, now: float | None = None) -> bool:
    """Whether `X-Exchange-Signature: t=<unix>,v1=<hex>` is the HMAC-SHA256 of f"{t}." + body under the
    unit's secret, sent within `tolerance_s` seconds (a replayed old message fails)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return abs((time.time() if now is None else now) - t) <= tolerance_s and \
        hmac.compare_digest(expected, parts.get("v1", ""))
