"""The layering ARCHITECTURE.md promises, checked on the source: the contract imports no framework, view-models
no flet, the server never the tablet (nor the tablet the server), no product module is part of an import cycle
(tests/import_graph.py reads the graph), and every problem code has a status and a text."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from schemas.problems import CHINESE, HTTP_STATUS, Code
from tests.import_graph import cycles, describe, edges

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


# Import cycles that exist today; others are removing them (issue 15). The test fails on any cycle not
# listed here and on any listed one that is gone, so this list only shrinks: delete an entry when its
# cycle is broken, and the list is empty once they all are.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def test_product_modules_import_each_other_in_no_cycle_but_the_known_ones() -> None:
    graph = edges(ROOT)
    found = set(cycles(graph))
    new = [describe(cycle, graph) for cycle in found - KNOWN_CYCLES]
    gone = [", ".join(sorted(cycle)) for cycle in KNOWN_CYCLES - found]
    assert not new, "import cycles among product modules (function-level imports count):\n" + "\n".join(new)
    assert not gone, ("these KNOWN_CYCLES are no longer cycles as listed; remove (or shrink) them in "
                      "tests/test_architecture.py:\n" + "\n".join(gone))


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
