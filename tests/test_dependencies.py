"""Dependencies (issue 18): every third-party module a package imports comes from a distribution declared for its
side (core: schemas/ and dossier_verify/; `server`; `tablet`), the server's install has no flet or sqlcipher and
the tablet's no alembic or fpdf2, the lock files pin exactly what this venv runs, and the APK's list is the
tablet's minus what only web mode needs. An import inside `try: ... except ImportError` is optional (a
fallback exists: schemas/heif.py) and must still be declared where it is wanted."""
from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
EXTRAS = PROJECT["optional-dependencies"]
OWN = {"schemas", "field_app", "sync_server", "dossier_verify", "main", "scripts"}


def names(requirements: list[str]) -> set[str]:
    """Canonical distribution names of requirement strings (the project's self-reference left out)."""
    found = {canonicalize_name(Requirement(r).name) for r in requirements}
    return found - {canonicalize_name(PROJECT["name"])}


CORE = names(PROJECT["dependencies"])
SIDES = {  # what each part of the product may import from, beyond the standard library and itself
    "schemas": CORE,
    "dossier_verify": CORE,
    "sync_server": CORE | names(EXTRAS["server"]) | names(EXTRAS["postgres"] + EXTRAS["s3"] + EXTRAS["pkcs11"]),
    "field_app": CORE | names(EXTRAS["tablet"]),
    "main.py": CORE | names(EXTRAS["tablet"]),
}


def _is_optional(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in ("ImportError", "ModuleNotFoundError") for k in kinds)


def third_party_imports(part: str) -> dict[str, tuple[set[str], set[str]]]:
    """{file: (required top-level modules, optional ones)} of the third-party imports of a package or file."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    paths = [ROOT / part] if part.endswith(".py") else sorted((ROOT / part).rglob("*.py"))
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        optional_nodes = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try) and any(map(_is_optional, t.handlers))
                          for stmt in t.body for n in ast.walk(stmt)}
        required: set[str] = set()
        optional: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module.split(".")[0]]
            else:
                continue
            for module in modules:
                if module not in sys.stdlib_module_names and module not in OWN:
                    (optional if id(node) in optional_nodes else required).add(module)
        found[str(path.relative_to(ROOT))] = (required, optional)
    return found


@functools.cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()


def distributions_of(module: str) -> set[str]:
    dists = _providers().get(module)
    assert dists, f"no installed distribution provides `import {module}`"
    return {canonicalize_name(d) for d in dists}


@pytest.mark.parametrize("part", sorted(SIDES))
def test_every_import_comes_from_a_distribution_declared_for_its_side(part: str) -> None:
    undeclared = {}
    anywhere = set().union(*(names(r) for r in EXTRAS.values()))  # an optional import: declared in some extra
    for path, (required, optional) in third_party_imports(part).items():
        for module in required | optional:
            if not distributions_of(module) & (SIDES[part] | (anywhere if module in optional else set())):
                undeclared.setdefault(path, []).append(f"{module} ({', '.join(sorted(distributions_of(module)))})")
    assert undeclared == {}, "imports whose distribution pyproject does not declare for this side"


def test_the_optional_imports_are_the_known_fallbacks() -> None:
    optional = {m for part in SIDES for _, opt in third_party_imports(part).values() for m in opt}
    # pillow_heif: docs/ANDROID.md, what the tablet does without it; pkcs11: only with SYNC_AGENCY_KEY_STORE=pkcs11;
    # zxingcpp: the enrolment QR read from a camera frame, else the payload is typed (field_app/provisioning.py)
    assert optional == {"pillow_heif", "pkcs11", "zxingcpp"}


def test_the_server_install_has_no_tablet_packages_and_the_tablet_none_of_the_servers() -> None:
    server, tablet = CORE | names(EXTRAS["server"]), CORE | names(EXTRAS["tablet"])
    assert not {n for n in server if n.startswith(("flet", "sqlcipher"))}, server
    assert not tablet & {"alembic", "fpdf2", "openpyxl", "jinja2", "python-multipart"}, tablet
    assert names(EXTRAS["test"]) >= {"pytest"} and any("[server,tablet" in r for r in EXTRAS["test"])


def _lock(extra: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / f"{extra}.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            assert pinned and re.fullmatch(r"[\w.+-]+", pinned), line
            pins[canonicalize_name(name)] = pinned
    return pins


@pytest.mark.parametrize("extra", ["server", "tablet"])
def test_each_lock_pins_what_this_venv_runs_and_covers_what_is_declared(extra: str) -> None:
    pins = _lock(extra)
    for name, pinned in pins.items():
        try:
            assert version(name) == pinned, f"{name}: venv {version(name)}, lock {pinned}: run python -m scripts.lock"
        except PackageNotFoundError:
            pytest.fail(f"{name} is locked but not installed")
    for requirement in map(Requirement, PROJECT["dependencies"] + EXTRAS[extra]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared for {extra} but not in its lock: run python -m scripts.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_the_server_lock_has_no_flet_and_no_sqlcipher() -> None:
    assert not [n for n in _lock("server") if n.startswith(("flet", "sqlcipher"))]
    assert {"flet", "sqlcipher3-binary"} <= set(_lock("tablet"))


def test_the_apks_list_is_the_tablets_without_what_only_web_mode_or_a_fallback_covers() -> None:
    android = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["tool"]["flet"]["android"]["dependencies"]}
    # web mode only; optional (schemas/heif.py; the QR typed instead of scanned: field_app/provisioning.py)
    tablet = names(EXTRAS["tablet"]) - {"flet-web", "pillow-heif", "zxing-cpp"}
    assert android == (tablet - {"sqlcipher3-binary"}) | {"sqlcipher3"}  # the binary wheel is manylinux-only


def test_docs_android_lists_every_distribution_the_apk_brings_with_its_status() -> None:
    page = (ROOT / "docs" / "ANDROID.md").read_text(encoding="utf-8")
    rows = {canonicalize_name(m.group(1)): m.group(2) for m in
            re.finditer(r"^\| `([\w.-]+)` \|[^|]*\| (Android build|pure Python|no Android build)[^|]*\|", page, re.M)}
    wanted = CORE | {canonicalize_name(Requirement(r).name) for r in PYPROJECT["tool"]["flet"]["android"]["dependencies"]}
    wanted |= {"pillow-heif"}
    assert wanted <= set(rows), sorted(wanted - set(rows))
    assert rows["sqlcipher3"] == "no Android build" and rows["pillow-heif"] == "no Android build"
