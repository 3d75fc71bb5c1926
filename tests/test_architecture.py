"""The layering ARCHITECTURE.md promises, checked on the source: the contract imports no framework, view-models
no flet, the server never the tablet (nor the tablet the server), and every problem code has a status and a text."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from schemas.problems import CHINESE, HTTP_STATUS, Code

ROOT = Path(__file__).resolve().parents[1]


def imported(package: str) -> dict[str, set[str]]:
    """Top-level module names each file of a package imports."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(("package", "forbidden"), [
    ("schemas", {"flet", "fastapi", "starlette", "httpx", "sqlmodel", "sqlalchemy", "field_app", "sync_server"}),
    ("field_app/viewmodels", {"flet", "fastapi", "sync_server"}),
    ("sync_server", {"field_app", "flet"}),
    ("field_app", {"sync_server", "fastapi"}),
    ("dossier_verify", {"schemas", "field_app", "sync_server", "sqlmodel", "pydantic"}),
])
def test_layers_import_only_what_they_may(package: str, forbidden: set[str]) -> None:
    offenders = {path: sorted(names & forbidden) for path, names in imported(package).items() if names & forbidden}
    assert offenders == {}


def test_every_problem_code_has_a_status_and_a_chinese_text() -> None:
    assert set(HTTP_STATUS) == set(Code) and set(CHINESE) == set(Code)
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())
