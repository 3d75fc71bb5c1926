"""The import-cycle check (tests/test_architecture.py) can fail: on a small package written here, it sees
cycles made by function-level imports, `from pkg import submodule`, relative imports and TYPE_CHECKING
imports, names the import lines, and sees none where there is none."""
from __future__ import annotations

from pathlib import Path

from tests.import_graph import cycles, describe, edges


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def found(root: Path) -> set[frozenset[str]]:
    return set(cycles(edges(root, ["pkg"])))


def test_a_function_level_import_closes_a_cycle_and_the_message_names_its_lines(tmp_path: Path) -> None:
    root = write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n",
                            "pkg/b.py": "def late():\n    from pkg.a import thing\n    return thing\n"})
    graph = edges(root, ["pkg"])
    assert found(root) == {frozenset({"pkg.a", "pkg.b"})}
    message = describe(frozenset({"pkg.a", "pkg.b"}), graph)
    assert "pkg/a.py:1: import pkg.b" in message and "pkg/b.py:2: from pkg.a import thing" in message


def test_from_package_import_submodule_points_at_the_submodule(tmp_path: Path) -> None:
    root = write(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
                            "pkg/sub/x.py": "from pkg import y\n", "pkg/y.py": "from pkg.sub import x\n"})
    assert found(root) == {frozenset({"pkg.sub.x", "pkg.y"})}


def test_relative_and_type_checking_imports_count(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "pkg/__init__.py": "", "pkg/sub/__init__.py": "from . import p\n",
        "pkg/sub/p.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..q import Q\n",
        "pkg/q.py": "from .sub.p import P\n"})
    assert found(root) == {frozenset({"pkg.sub.p", "pkg.q"})}


def test_a_chain_without_a_way_back_is_no_cycle_and_a_longer_ring_is_one(tmp_path: Path) -> None:
    chain = write(tmp_path / "chain", {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import x\n",
                                       "pkg/b.py": "import pkg.c\nimport json\n", "pkg/c.py": "import pkg\n"})
    assert found(chain) == set()
    ring = write(tmp_path / "ring", {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import x\n",
                                     "pkg/b.py": "import pkg.c\n", "pkg/c.py": "from pkg import a\n",
                                     "pkg/d.py": "import pkg.a\n"})
    assert found(ring) == {frozenset({"pkg.a", "pkg.b", "pkg.c"})}
