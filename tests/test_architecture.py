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



def imports_of(path: Path, modules: set[str] | None = None) -> set[str]:
    """The modules a file imports anywhere in it (in functions and under TYPE_CHECKING too). Given the
    known `modules`, `from pkg import x` is pkg.x when that is a module, else pkg (as Python resolves it)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if modules is None or full in modules else node.module)
    return names


def test_views_import_neither_the_composition_root_nor_the_sync_layer() -> None:
    """field_app/views/ reaches the tablet through view-models only, and is wired by views/router.py:
    app.py starts it (no view imports app.py back), and the sync layer stays behind viewmodels/."""
    offenders = {}
    for path in sorted((ROOT / "field_app" / "views").rglob("*.py")):
        bad = {n for n in imports_of(path) if n.split(".")[:2] in (["field_app", "app"], ["field_app", "sync"])}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_tablet_has_no_import_cycle() -> None:
    """No module of field_app/ imports, directly or through others, a module that imports it back
    (function-level imports included): the views were one 16-module cycle with app.py."""
    paths = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "field_app").rglob("*.py")}
    graph = {m: (imports_of(p, set(paths)) & set(paths)) - {m} for m, p in paths.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)
