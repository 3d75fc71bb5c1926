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


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module of a package and the modules of the same package it imports, at any level (function-level
    and TYPE_CHECKING imports included): `from pkg import name` counts `pkg.name` when that is a module,
    else `pkg` (a package's `__init__` importing its own modules is no cycle by itself)."""
    paths = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        found = set()
        for target in targets:
            while target and target not in paths:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or around a loop (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_loop_of_three() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["schemas", "sync_server", "dossier_verify"])  # field_app: its views' cycle
def test_no_import_cycle_among_product_modules(package: str) -> None:
    assert cycles(import_graph(package)) == []
