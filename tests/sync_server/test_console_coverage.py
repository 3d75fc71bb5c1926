"""Issue 18: no capability a role needs is reachable only by API or CLI. Every state-changing API route and
every CLI command is mapped in sync_server/console/paths.py to the console form that does the same, or
marked as the tablet's, machine-only or the operator's with a reason; a new route or command nobody mapped
fails here, and so does a mapping to a console route that does not exist."""
from __future__ import annotations

import argparse

from fastapi import FastAPI

from sync_server.__main__ import build_parser
from sync_server.console.paths import API_PATHS, CLI_PATHS, MACHINE_ONLY, OPERATOR, TABLET
from tests.sync_server.test_post_rules import changing_routes


def _reason_ok(value: str, prefix: str) -> bool:
    return value.startswith(prefix) and len(value) > len(prefix) + 10


def test_every_state_changing_api_route_has_a_console_or_tablet_path(app: FastAPI):
    routes = changing_routes(app)
    api = {r for r in routes if r.split(" ")[1].startswith(("/api/", "/exchange/"))}
    console = {r for r in routes if r.split(" ")[1].startswith("/console/")}
    assert len(api) > 40, "the app's API routes are enumerated"
    assert api - set(API_PATHS) == set(), "state-changing API routes without a console, tablet or machine path: " \
                                          "map them in sync_server/console/paths.py"
    assert set(API_PATHS) - api == set(), "paths.py maps routes that do not exist"
    for route, path in API_PATHS.items():
        if path.startswith(("POST ", "PUT ", "PATCH ", "DELETE ")):
            assert path in console, f"{route} → {path}: no such console route"
        else:
            assert _reason_ok(path, TABLET) or _reason_ok(path, MACHINE_ONLY), f"{route}: give the reason"
    machine_only = [r for r, p in API_PATHS.items() if p.startswith(MACHINE_ONLY)]
    assert sorted(machine_only) == ["POST /api/v1/log/alarm", "POST /exchange/v1/cross-province/packages",
                                    "POST /exchange/v1/entrustments", "POST /exchange/v1/entrustments/{reference}/documents",
                                    "POST /exchange/v1/entrustments/{reference}/submit"], \
        "machine-only stays a short, explicit list: a witness's alarm, the units' systems, the peer servers"


def cli_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every command of the CLI, nested ones as `holidays add`."""
    found: set[str] = set()
    for action in parser._actions:  # argparse keeps its sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                deeper = cli_commands(sub, f"{prefix}{name} ")
                found |= deeper or {f"{prefix}{name}"}
    return found


def test_every_cli_command_has_a_console_path_or_is_the_operators(app: FastAPI):
    commands = cli_commands(build_parser()) | {"serve"}
    assert {"holidays add", "tls init", "backup"} <= commands
    assert commands - set(CLI_PATHS) == set(), "CLI commands without a console path or an operator's reason"
    assert set(CLI_PATHS) - commands == set(), "paths.py maps commands that do not exist"
    console = changing_routes(app)
    for command, path in CLI_PATHS.items():
        assert path in console or _reason_ok(path, OPERATOR), command
