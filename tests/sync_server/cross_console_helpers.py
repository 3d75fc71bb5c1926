"""Shared by the cross-province console tests (R36): an agency's public key as agency_key.pub's first line,
the hierarchy and a peer set through the services, a check placed at either level, and a peer server on
127.0.0.1 that takes packages (exchange_helpers.Receiver answers every POST 204 and records it)."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient

from schemas.staffing import NewOrganisation, OrgKind
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from sync_server.tables import CrossProvinceCheck, ExchangePeer, Organisation
from tests.field_app.helpers import closed_port
from tests.sync_server.console_client import console_login
from tests.sync_server.exchange_helpers import Receiver

PROVINCE, COUNTY = "cq-sheng", "yb-xian"
REFUSAL = {"code": "exchange.package_invalid", "detail": "发送机构未登记，或其签名密钥与登记的不同"}


def public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def add_org(app: FastAPI, org_id: str, name: str, parent_id: str | None = None) -> None:
    with app.state.services.session() as session:
        body = NewOrganisation(id=org_id, name=name, kind=OrgKind.AGENCY)
        session.add(Organisation(id=body.id, name=body.name, kind=body.kind.value, parent_id=parent_id))
        session.commit()


def linked(app: FastAPI, receiver: Receiver) -> None:
    """The demo agency under the province, a county under the demo agency; both neighbours' servers are
    the receiver."""
    add_org(app, PROVINCE, "重庆市社会救助家庭经济状况核对中心")
    add_org(app, COUNTY, "某县核对中心", parent_id=DEMO_AGENCY)
    with app.state.services.session() as session:
        org = session.get(Organisation, DEMO_AGENCY)
        assert org is not None
        org.parent_id = PROVINCE
        session.add(org)
        for peer in (PROVINCE, COUNTY):
            session.add(ExchangePeer(org_id=peer, base_url=f"http://127.0.0.1:{receiver.port}", public_key="",
                                     key_id="k"))
        session.commit()


def place(app: FastAPI, check_id: str, side: str, status: str, needed_on: date, submit_due: date,
          feedback_due: date | None = None) -> None:
    """A check as the services left it: lower (ours, on the demo case) or higher (asked of us by the county)."""
    lower = side == "lower"
    with app.state.services.session() as session:
        session.add(CrossProvinceCheck(
            id=check_id, side=side, case_id=DEMO_CASE_ID if lower else None,
            from_agency=DEMO_AGENCY if lower else COUNTY, to_agency=PROVINCE if lower else DEMO_AGENCY,
            question=f"核查事项 {check_id}", needed_on=needed_on, submit_due=submit_due, status=status,
            subjects=[{"name": "李秀英", "id_number": "x"}], feedback_due=feedback_due,
            answer="未发现外省不动产" if status == "answered" else ""))
        session.commit()


def status_of(app: FastAPI, check_id: str) -> str:
    with app.state.services.session() as session:
        row = session.get(CrossProvinceCheck, check_id)
        assert row is not None
        return row.status


def packages(receiver: Receiver) -> list[dict]:
    return [json.loads(body)["payload"] for _, body in receiver.got]


def as_(client: TestClient, username: str) -> None:
    """Signed in to the console as this user (the previous one signed out)."""
    client.cookies.clear()
    assert console_login(client, username).status_code == 303


@contextmanager
def linked_peer(app: FastAPI, *, listening: bool) -> Iterator[Receiver]:
    """`linked` to a receiver on a free port: listening, or never started (nobody answers there)."""
    receiver = Receiver(closed_port())
    if listening:
        receiver.start()
    linked(app, receiver)
    try:
        yield receiver
    finally:
        receiver.stop()
