"""Which tier a test is in, decided from what it reaches, so that nobody marks tests by hand.

The four tiers, cheapest first (`make check` runs the first two, `make test` all four):
  pure       no server at all: functions, files and SQLite in tmp_path
  inprocess  a server in this process: the FastAPI app under TestClient, uvicorn in a thread
  processes  other processes and databases: a server subprocess, a killed tablet, PostgreSQL, Ceph,
             pg_dump, poppler, a tmpfs mount (these need `make system-deps` or root)
  browser    Debian's Chromium driving the real Flet app (tests/end_to_end)

A test's tier is the heaviest one among what its function and every fixture it uses reach: the names
their code refers to (globals, attributes, function-level imports), followed through the helpers defined
in `tests.*` modules, a test module's own helpers included. A reference to a module listed in `REACHES`,
or to anything defined in one, puts the test in that tier. A parameter can too: `backend=postgres`
(conftest's `both_databases`). A folder can: everything under tests/end_to_end is the browser suite.
An explicit `@pytest.mark.<tier>` on a test, class or module wins over all of this; use it only where
the rule is wrong, and say why beside it.
"""
from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

TIERS: dict[str, str] = {
    "pure": "no server: functions, files, SQLite in tmp_path (make check)",
    "inprocess": "a server in this process: TestClient, uvicorn in a thread (make check)",
    "processes": "subprocesses and databases: server processes, PostgreSQL, Ceph, poppler, tmpfs (make test)",
    "browser": "Chromium driving the real Flet app, tests/end_to_end (make test)",
}
ORDER = tuple(TIERS)

# Modules (and their submodules) whose use puts a test in a tier.
REACHES: dict[str, tuple[str, ...]] = {
    "browser": ("playwright",),
    "processes": ("subprocess", "multiprocessing", "tests.sync_server.server_process",
                  "tests.sync_server.postgres", "tests.sync_server.ceph", "tests.sync_server.pdf_checks",
                  "tests.disk"),
    "inprocess": ("sync_server.app", "fastapi", "starlette", "uvicorn", "tests.sync_server.testclient",
                  "tests.field_app.live_server"),
}
PARAMS: dict[tuple[str, str], str] = {("backend", "postgres"): "processes"}
FOLDERS: dict[str, str] = {"end_to_end": "browser"}
FOLLOWED = "tests."  # helpers in these modules are read through; product code is not
# The hang guard of the fast tiers, tighter than pyproject's `timeout` (900 s) for the others: several
# times the slowest such test measured on this 2-core machine under the load of other engineers' runs
# (62 to 98 s at load 3 to 14: test_dossier_tamper's random tampering). A test's own @pytest.mark.timeout wins.
TIMEOUTS: dict[str, int] = {"pure": 300, "inprocess": 300}
# Sweeps: in-process tests that walk a whole space (every route × every actor, property-based API fuzzing,
# random tamper trials, a case taken through its whole life five times). They are marked `sweep` besides
# their tier; `make check` leaves them to `make test` so it stays under 90 s on 2 cores (measured: the
# in-process tier with them 118 s, without them 54 s).
SWEEPS = ("tests/sync_server/test_schemathesis.py", "tests/sync_server/test_access_matrix.py",
          "tests/sync_server/test_post_rules.py", "tests/sync_server/test_dossier_tamper.py",
          "tests/sync_server/test_dossier_whole_case.py")
# Journeys, marked `sweep` too: the in-process modules that cost most (each test a fresh app whose first request
# builds the dependency state of its ~190 routes in FastAPI 0.165: 0.2-0.5 s; a live tablet-to-server round; a
# whole API area). Issues 18-20 took the fast tiers to 150 s; without these 30 modules (~155 s of the 280 s of
# worker time) `make check` is back under 90 s. Their areas keep lighter tests there; `make test` runs them all.
JOURNEYS = tuple(f"tests/{m}.py" for m in (
    "sync_server/test_log_shortened", "sync_server/test_records_api", "field_app/test_sync_live",
    "field_app/test_provisioning", "sync_server/test_evidence_sniffing", "sync_server/test_case_summaries",
    "sync_server/test_dossier_api", "sync_server/test_display_copies", "sync_server/test_operations",
    "sync_server/test_cases_api", "sync_server/test_documents_pdf", "sync_server/test_console_guard",
    "sync_server/test_console_cross_province", "sync_server/test_route_access", "sync_server/test_dossier_concurrency",
    "sync_server/test_intake_api", "sync_server/test_auth_api", "sync_server/test_findings_ingest",
    "sync_server/test_form_publishing", "sync_server/test_console", "field_app/test_auto_resume",
    "sync_server/test_uploads_api", "sync_server/test_review_api", "sync_server/test_evidence_api",
    "sync_server/test_keys_api", "sync_server/test_device_fleet", "sync_server/test_console_documents",
    "sync_server/test_console_case_admin", "sync_server/test_exchange_api", "sync_server/test_bundle_hostile",
    "sync_server/test_console_cross_outbox", "sync_server/test_console_exchange", "sync_server/test_fresh_start",
    "sync_server/test_cross_outbox_order", "sync_server/test_console_case_cross", "sync_server/test_unit_cert_auth"))
SWEEP = "sweep: walks a whole space in process (routes × actors, fuzzing, tamper trials); make test only"


def heavier(a: str, b: str) -> str:
    return a if ORDER.index(a) >= ORDER.index(b) else b


@functools.cache
def tier_of_module(name: str) -> str:
    for tier in ("browser", "processes", "inprocess"):
        if any(name == root or name.startswith(root + ".") for root in REACHES[tier]):
            return tier
    return "pure"


def _codes(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _functions_of(value: object) -> list[Callable[..., object]]:
    """The plain functions behind a helper: itself, a class's methods, a fixture's or decorator's inner one."""
    value = getattr(value, "_fixture_function", value)
    inner = getattr(getattr(value, "hypothesis", None), "inner_test", None)
    if inner is not None:
        value = inner
    if isinstance(value, type):
        found = []
        for member in vars(value).values():
            member = getattr(member, "__func__", member)
            if isinstance(member, property):
                found += [f for f in (member.fget, member.fset) if f]
            elif inspect.isfunction(member):
                found.append(member)
        return found
    value = getattr(value, "__func__", value)
    if inspect.isfunction(value):
        return [inspect.unwrap(value)]
    return []


_REACHED: dict[object, str] = {}  # a test's or fixture's function -> the tier of all it reaches


def tier_of(functions: Iterable[Callable[..., object]], seen: set[object] | None = None) -> str:
    """The heaviest tier any of these functions reaches, following helpers in `tests.*` modules."""
    if seen is None:  # from the top: each function's whole reach, walked once and remembered
        tier = "pure"
        for function in functions:
            if function not in _REACHED:
                _REACHED[function] = tier_of([function], set())
            tier = heavier(tier, _REACHED[function])
        return tier
    tier = "pure"
    for function in functions:
        for inner in _functions_of(function):
            if inner in seen:
                continue
            seen.add(inner)
            tier = heavier(tier, _tier_of_function(inner, seen))
    return tier


def _tier_of_function(function: types.FunctionType, seen: set[object]) -> str:
    tier = tier_of_module(function.__module__ or "")
    names = {name for code in _codes(function.__code__) for name in code.co_names}
    for name in names:
        tier = heavier(tier, tier_of_module(name))  # `import x.y` inside a function names x.y itself
        if name not in function.__globals__:
            continue
        value = function.__globals__[name]
        if isinstance(value, types.ModuleType):
            tier = heavier(tier, tier_of_module(value.__name__))
            continue
        home = getattr(value, "__module__", None) or type(value).__module__
        if not isinstance(home, str):
            continue
        tier = heavier(tier, tier_of_module(home))
        if home.startswith(FOLLOWED):
            tier = heavier(tier, tier_of([value], seen))
    return tier


def _fixture_functions(item: pytest.Item) -> list[Callable[..., object]]:
    """The fixture functions a test uses: the closest definition of each name, and the ones it overrides
    when it asks for its own name."""
    info = getattr(item, "_fixtureinfo", None)
    found: list[Callable[..., object]] = []
    for name, definitions in (info.name2fixturedefs.items() if info else ()):
        for definition in reversed(definitions):
            found.append(definition.func)
            if name not in definition.argnames:
                break
    return found


def automatic_tier(item: pytest.Item, tests_root: Path) -> str:
    tier = "pure"
    parts = Path(str(item.path)).relative_to(tests_root).parts
    for folder, folder_tier in FOLDERS.items():
        if folder in parts[:-1]:
            tier = heavier(tier, folder_tier)
    callspec = getattr(item, "callspec", None)
    for (param, value), param_tier in PARAMS.items():
        if callspec is not None and str(callspec.params.get(param, "")) == value:
            tier = heavier(tier, param_tier)
    function = getattr(item, "function", None)
    return heavier(tier, tier_of([f for f in (function, *_fixture_functions(item)) if f is not None]))


def assign(items: list[pytest.Item], tests_root: Path) -> None:
    """Mark each item with exactly one tier: its explicit one, else the automatic one."""
    for item in items:
        explicit = [mark.name for mark in item.iter_markers() if mark.name in TIERS]
        if len(set(explicit)) > 1:
            raise pytest.UsageError(f"{item.nodeid}: more than one tier marker {sorted(set(explicit))}")
        tier = explicit[0] if explicit else automatic_tier(item, tests_root)
        if not explicit:
            item.add_marker(tier)
        if any(str(item.path).endswith(sweep) for sweep in SWEEPS + JOURNEYS):
            item.add_marker("sweep")
        if tier in TIMEOUTS and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TIMEOUTS[tier]))
