"""The client-certificate half of /exchange/v1's authentication (issue 20; the API key is the other half).

TLS ends at nginx (deploy/nginx/field-evidence.conf): its exchange server block asks for a client certificate,
verifies it against the agency CA and passes the result on in `X-Client-Verify` ($ssl_client_verify) and
`X-Client-Cert` ($ssl_client_escaped_cert), both set by nginx on every request so a client's own headers of
those names never reach the server. The server believes them only from the proxies in
`SYNC_EXCHANGE_CERT_PROXIES`, by the address the connection came from (edge/peer.py: not `client`, which
uvicorn rewrites from X-Forwarded-For behind a proxy it trusts): the same headers from anyone else are
refused with exchange.cert_untrusted, never ignored in silence (but for `X-Client-Verify: NONE` alone, which
claims nothing: a unit's key still works on that port then).

In OpenAPI it is a `mutualTLS` security scheme (OpenAPI 3.1), listed beside the bearer key: either one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.models import APIKey, APIKeyIn
from fastapi.security.base import SecurityBase

from schemas.problems import Code, ProblemError
from sync_server.edge.peer import peer_host
from sync_server.office.unit_certs import CERT_HEADER, VERIFY_HEADER, trusted_proxy

SCHEME = "UnitClientCertificate"


@dataclass(frozen=True)
class PresentedCert:
    """What the trusted proxy said of the TLS client certificate ("" when no header came)."""

    verify: str
    escaped_cert: str


class ClientCertificate(SecurityBase):
    """A dependency yielding the proxy's verdict on the client certificate, refusing untrusted senders."""

    def __init__(self, description: str) -> None:
        # FastAPI's models know four scheme types, not OpenAPI 3.1's mutualTLS: `install` rewrites this one
        self.model = APIKey.model_validate({"in": APIKeyIn.header, "name": CERT_HEADER, "description": description})
        self.scheme_name = SCHEME

    async def __call__(self, request: Request) -> PresentedCert:
        verify = request.headers.get(VERIFY_HEADER, "")
        cert = request.headers.get(CERT_HEADER, "")
        if verify.strip() in ("", "NONE") and not cert:  # claims nothing (nginx when no certificate came)
            return PresentedCert("", "")
        host = peer_host(request.scope)  # the connection's own end: uvicorn puts X-Forwarded-For's in `client`
        if not trusted_proxy(request.app.state.services.settings, host):
            raise ProblemError(Code.EXCHANGE_CERT_UNTRUSTED, f"来自 {host or '未知地址'} 的请求带有客户端证书头，"
                               "但该地址不在 SYNC_EXCHANGE_CERT_PROXIES 中")
        return PresentedCert(verify.strip(), cert.strip())


def install(app: FastAPI) -> None:
    """Show the certificate scheme as OpenAPI 3.1's `mutualTLS` (the client sends no header itself)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemes = build().get("components", {}).get("securitySchemes", {})
            if SCHEME in schemes:
                schemes[SCHEME] = {"type": "mutualTLS", "description": schemes[SCHEME].get("description", "")}
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
