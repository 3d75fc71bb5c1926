"""The deploy recipes agree with the code they run: each systemd unit's command parses with the server's own
argument parser and binds loopback, the timers start the jobs they name, systemd itself accepts the units,
nginx's limits follow the server's settings route by route, and the compose file (it cannot be run here: no
container engine) has its services, volumes and settings wired to each other."""
from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from schemas.protocol import API_PREFIX
from sync_server.__main__ import build_parser
from sync_server.edge.limits import body_budget
from sync_server.edge.tls_policy import CIPHERS
from sync_server.edge.uvicorn_server import MAX_HEADER_BYTES
from sync_server.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
SITE = (DEPLOY / "nginx" / "field-evidence.conf").read_text(encoding="utf-8")
SETTINGS = Settings(Path("unused"))
MiB = 1024 * 1024


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def _server_args(unit: str) -> list[str]:
    words = shlex.split(_unit(unit)["Service"]["ExecStart"])
    assert words[1:3] == ["-m", "sync_server"], words
    return words[3:]


@pytest.mark.parametrize("unit", ["field-evidence.service", "field-evidence-backup.service",
                                  "field-evidence-check.service"])
def test_each_unit_runs_a_command_the_server_understands(unit: str) -> None:
    args = build_parser().parse_args(_server_args(unit))
    assert str(args.data_dir) == "/var/lib/field-evidence"
    service = _unit(unit)["Service"]
    assert service["User"] == "field-evidence" and service["UMask"] == "0077"


def test_the_server_unit_serves_loopback_only_behind_nginx_on_the_sites_upstream() -> None:
    args = build_parser().parse_args(_server_args("field-evidence.service"))
    assert args.command is None and args.host == "127.0.0.1" and not args.insecure_http
    assert f"server 127.0.0.1:{args.port};" in SITE
    service = _unit("field-evidence.service")["Service"]
    assert service["StateDirectoryMode"] == "0700" and service["Environment"] == "SYNC_SECURE_COOKIES=true"
    assert "2" in service["RestartPreventExitStatus"].split()  # a start refused with a message is not retried


@pytest.mark.parametrize(("job", "command"), [("backup", "backup"), ("check", "check")])
def test_each_nightly_timer_starts_its_job(job: str, command: str) -> None:
    timer = _unit(f"field-evidence-{job}.timer")["Timer"]
    assert timer["Unit"] == f"field-evidence-{job}.service" and timer["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00", timer["OnCalendar"])
    assert build_parser().parse_args(_server_args(f"field-evidence-{job}.service")).command == command
    assert _unit(f"field-evidence-{job}.service")["Service"]["Type"] == "oneshot"


def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    for path in UNITS.glob("field-evidence*"):  # the venv's python where the unit expects the office's
        text = path.read_text(encoding="utf-8").replace("/opt/field-evidence/.venv/bin/python", sys.executable)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def _directive(block: str, name: str) -> str:
    """The directive's value: set at least once, and the same in every server block that sets it (the units'
    port repeats the main server's TLS and timeouts)."""
    found = re.findall(rf"^\s*{name}\s+([^;]+);", block, re.M)
    assert len(set(found)) == 1, (name, found)
    return found[0]


def _size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", text).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": MiB}[unit]


def _location(path: str) -> str:
    """The body of the location block nginx would choose for `path` (exact, then regex, then /)."""
    blocks = [(kind, quoted or bare, body) for kind, quoted, bare, body in
              re.findall(r'location\s+(?:(=|~)\s+)?(?:"([^"]+)"|(\S+))\s*\{([^}]*)\}', SITE)]
    for kind, pattern, body in blocks:
        if kind == "=" and pattern == path:
            return body
    for kind, pattern, body in blocks:
        if kind == "~" and re.search(pattern, path):
            return body
    return next(body for kind, pattern, body in blocks if not kind and pattern == "/")


SHA = "0" * 64


ROUTES = [
    ("PATCH", f"{API_PREFIX}/uploads/{SHA}"),  # a resumable chunk: max_chunk_bytes
    ("POST", f"{API_PREFIX}/evidence/batch"),
    ("PUT", f"{API_PREFIX}/evidence/{SHA}"),  # a whole file: max_evidence_bytes
    ("POST", f"{API_PREFIX}/intake/cases/c1/documents"),  # the office's scans
    ("POST", f"{API_PREFIX}/records"),
]


def _budget(method: str, path: str) -> int:
    return body_budget(SETTINGS, {"method": method, "path": path, "headers": [(b"authorization", b"Bearer x")]})[0]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_nginx_lets_through_what_the_server_answers_itself_and_no_more_than_a_little(method: str, path: str) -> None:
    """At least the route's budget (the server answers a larger body with its own problem code), at most 2 MiB
    above the largest budget among the routes that share the location."""
    nginx_limit = _size(_directive(_location(path), "client_max_body_size"))
    sharing = max(_budget(m, p) for m, p in ROUTES if _location(p) == _location(path))
    assert _budget(method, path) <= nginx_limit <= sharing + 2 * MiB, (path, _budget(method, path), nginx_limit)
    if method in ("PATCH", "PUT") or path.endswith("/batch"):
        assert _directive(_location(path), "proxy_request_buffering") == "off"


def test_nginx_timeouts_header_bound_and_tls_follow_the_server() -> None:
    assert _size(_directive(SITE, "client_header_timeout").rstrip("s")) == SETTINGS.header_timeout_s
    assert _size(_directive(SITE, "client_body_timeout").rstrip("s")) == SETTINGS.body_idle_s
    count, size = _directive(SITE, "large_client_header_buffers").split()
    assert _size(size) == MAX_HEADER_BYTES
    assert _directive(SITE, "ssl_ciphers") == CIPHERS
    assert _directive(SITE, "ssl_protocols") == "TLSv1.2 TLSv1.3"
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                   "X-Request-ID $field_request_id", "Host $host"):
        assert f"proxy_set_header {header};" in SITE
    assert int(_directive(SITE, "proxy_read_timeout").rstrip("s")) >= 300  # streamed dossiers and PDFs


def test_the_compose_file_wires_postgresql_the_server_and_the_nightly_jobs() -> None:
    compose = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "server", "nightly"}
    assert set(compose["volumes"]) == {"pgdata", "evidence", "backups"}
    for name, service in services.items():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose["volumes"], (name, volume)
    server, nightly, postgres = services["server"], services["nightly"], services["postgres"]
    assert server["depends_on"]["postgres"]["condition"] == "service_healthy" and "healthcheck" in postgres
    args = build_parser().parse_args(server["command"])
    assert args.insecure_http and args.workers > 1 and str(args.data_dir) == "/var/lib/field-evidence"
    assert server["ports"] == ["127.0.0.1:8000:8000"]  # only the host's nginx reaches it
    url = server["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@postgres/" in url
    assert url.endswith("/" + postgres["environment"]["POSTGRES_DB"])
    assert server["environment"]["SYNC_SECURE_COOKIES"] == "true"
    assert nightly["environment"]["DATABASE_URL"] == url and nightly["image"] == server["image"]
    script = nightly["command"][0]
    assert "python -m sync_server backup --data-dir /var/lib/field-evidence" in script
    assert "python -m sync_server check --data-dir /var/lib/field-evidence" in script
    known = {f"SYNC_{name.upper()}" for name in Settings.model_fields}
    for service in (server, nightly):
        assert {k for k in service["environment"] if k.startswith("SYNC_")} <= known
    dockerfile = (DEPLOY / "compose" / "Dockerfile").read_text(encoding="utf-8")
    assert "'.[server,postgres]'" in dockerfile and "requirements/server.lock" in dockerfile
    assert "postgresql-client-15" in dockerfile and postgres["image"].startswith("postgres:15")
