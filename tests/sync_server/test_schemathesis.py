"""Issue 5 §7: Schemathesis against the app's own /openapi.json, every operation, as each role.

Checks on every generated request: no 5xx (`not_a_server_error`), every response as documented
(`response_schema_conformance`), and no schema-valid request refused for a rule the schema omits
(`schema_valid_is_not_refused`: a positive-mode case answered `request.invalid` or
`protocol.unsupported` means a rule is missing from the schema). Domain refusals (an unknown case,
a wrong seal, a throttled sign-in...) are answers about the data, not about its shape, and pass.

Bounded and deterministic: a few derandomized examples per operation and role. New routes are picked
up from the schema by themselves; a new role is one line in ROLES.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance

from schemas.protocol import DEVICE_HEADER, PROTOCOL_HEADER
from sync_server.accounts.auth import CONSOLE, DEVICE, issue_token
from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.tables import Account
from tests.sync_server.conftest import START, Template
from tests.sync_server.helpers import Clock

MAX_EXAMPLES = 6
DEVICE_ID = "tablet-yb-01"
ROLES = {"anonymous": None, "surveyor": "zhangwei", "reviewer": "wangfang", "township": "chenjing",
         "admin": "admin"}
SHAPE_REFUSALS = {"request.invalid", "protocol.unsupported"}


@schemathesis.check
def schema_valid_is_not_refused(ctx, response, case) -> bool | None:  # type: ignore[no-untyped-def]
    """A request the schema calls valid must not be refused as malformed."""
    if response.status_code in (400, 422):
        try:
            code = response.json().get("code")
        except ValueError:
            code = None
        if code in SHAPE_REFUSALS:
            raise AssertionError(f"schema-valid request refused ({code}): {response.text[:300]}")
    return None


def role_headers(app: FastAPI, role: str) -> dict[str, str]:
    """A live token of the role's demo account, as its client sends it."""
    username = ROLES[role]
    if username is None:
        return {PROTOCOL_HEADER: "1"}
    services = app.state.services
    with services.session() as session:
        account = session.get(Account, username)
        assert account is not None
        kind = DEVICE if role == "surveyor" else CONSOLE
        token, _ = issue_token(session, account, kind=kind, now=services.clock(), ttl=timedelta(hours=1),
                               device_id=DEVICE_ID if kind == DEVICE else "")
        session.commit()
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}
    return {**headers, DEVICE_HEADER: DEVICE_ID} if kind == DEVICE else headers


def documented_operations() -> list[str]:
    """Labels ("GET /api/v1/cases") of every operation the app documents, read from a throwaway app."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(Path(folder)))
        document = app.openapi()
        app.state.services.engine.dispose()
    return sorted(f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item)


@pytest.fixture(scope="module")
def served(seeded_template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One seeded server and its schema for the whole module (SQLite), so the run stays within budget."""
    data_dir = tmp_path_factory.mktemp("schemathesis") / "data"
    shutil.copytree(seeded_template.data_dir, data_dir)
    app = create_app(Settings(data_dir), clock=Clock(START))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], deterministic=True,
                                    with_security_parameters=False)
    yield Served(app, schema)
    app.state.services.engine.dispose()


@dataclass(frozen=True)
class Served:
    app: FastAPI
    schema: BaseSchema


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("label", documented_operations())
def test_every_operation_as_each_role_keeps_to_its_schema(label: str, role: str, served: Served):
    operation = served.schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = role_headers(served.app, role)  # a fresh token: a generated logout may have ended the last one

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Case) -> None:
        case.headers = {k: v for k, v in (case.headers or {}).items()
                        if k.lower() not in {"authorization", DEVICE_HEADER.lower(), PROTOCOL_HEADER.lower()}}
        case.headers.update(headers)
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                 schema_valid_is_not_refused])

    run()
