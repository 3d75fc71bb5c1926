"""`pip install '.[server]'` brings no flet (issue 18), resolved for real: pip resolves the extra from the
configured package indexes into an empty environment (`--dry-run --ignore-installed --report`: nothing is
installed, the resolution is the one an install would make), once against the lock file as `make venv` uses
it and once free, as an office's `pip install` would today."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def resolved(extra: str, *constraints: str) -> dict[str, str]:
    """{distribution: version} pip would install for '.[extra]' into an empty environment."""
    report = ROOT / "test-artifacts" / f"resolution-{extra}-{len(constraints)}.json"
    report.parent.mkdir(exist_ok=True)
    args = [a for c in constraints for a in ("-c", c)]
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                           "--disable-pip-version-check", "--report", str(report), *args, f".[{extra}]"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"] for i in installs}


@pytest.mark.parametrize("locked", [True, False], ids=["locked", "free"])
def test_the_server_install_brings_no_flet_and_no_sqlcipher(locked: bool) -> None:
    got = resolved("server", *(["requirements/server.lock"] if locked else []))
    assert not [name for name in got if name.startswith(("flet", "sqlcipher"))], sorted(got)
    assert {"fastapi", "uvicorn", "starlette", "pydantic", "sqlalchemy", "alembic", "fpdf2"} <= set(got)
    assert got["uvicorn"] == "0.55.0"  # pinned exactly: edge/uvicorn_server.py
    if locked:
        assert got["fastapi"] == (ROOT / "requirements" / "server.lock").read_text().split("fastapi==")[1].split()[0]


def test_the_tablet_install_brings_no_server_only_packages() -> None:
    got = resolved("tablet", "requirements/tablet.lock")
    assert {"flet", "flet-web", "sqlcipher3-binary", "httpx"} <= set(got)
    assert not {"alembic", "fpdf2", "openpyxl", "jinja2", "python-multipart"} & set(got), sorted(got)
