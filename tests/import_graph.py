"""The import graph of the product's modules, read from the source with `ast`, and its cycles.

Every import counts, wherever it is written: at the top, inside a function (the usual way to dodge an
import cycle at run time, which still leaves the two modules tangled) and under `if TYPE_CHECKING:`.
`import a.b.c` and `from a.b import c` point at the module `a.b.c` when it is one of ours; `from a.b
import name` points at `a.b`. Edges go to the named module only, not to the packages above it.
A cycle is a strongly connected component of more than one module (Tarjan's algorithm).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PRODUCT = ("schemas", "field_app", "sync_server", "dossier_verify")


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    where: str  # "path:line: the import statement"


def module_names(root: Path, packages: Iterable[str] = PRODUCT) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The module `name` means: itself if ours, else the longest of our modules it starts with."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = importer.split(".")
    package = parts if is_package else parts[:-1]
    package = package[:len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def edges(root: Path, packages: Iterable[str] = PRODUCT) -> list[Edge]:
    modules = module_names(root, packages)
    found: list[Edge] = []
    for importer, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, ast.Import):
                targets = [_target(alias.name, modules) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _base(node, importer, path.name == "__init__.py")
                targets = [_target(f"{base}.{alias.name}", modules) for alias in node.names]
            else:
                continue
            where = f"{path.relative_to(root)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
            for target in dict.fromkeys(targets):
                if target is not None and target != importer:
                    found.append(Edge(importer, target, where))
    return found


def cycles(graph_edges: Iterable[Edge]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (iterative Tarjan)."""
    successors: dict[str, list[str]] = {}
    for edge in graph_edges:
        successors.setdefault(edge.importer, []).append(edge.imported)
        successors.setdefault(edge.imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[frozenset[str]] = []
    for start in successors:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(successors[node]):
                work.append((node, i + 1))
                child = successors[node][i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(frozenset(component))
    return components


def describe(component: frozenset[str], graph_edges: Iterable[Edge]) -> str:
    """The modules of a cycle and the import lines that tie them together."""
    lines = [f"cycle of {len(component)} modules: {', '.join(sorted(component))}"]
    lines += [f"    {edge.where}  ({edge.importer} -> {edge.imported})" for edge in
              sorted(graph_edges, key=lambda e: e.where)
              if edge.importer in component and edge.imported in component]
    return "\n".join(lines)
