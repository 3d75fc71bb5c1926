"""Write requirements/server.lock and requirements/tablet.lock: every distribution `pip install '.[server]'`
(or '.[tablet]') brings, pinned to the version this venv holds, so a release installs what its tests ran with.

    .venv/bin/python -m scripts.lock            # after changing pyproject's dependencies or upgrading the venv

No pip-compile or uv here: pip itself resolves each extra (`pip install --dry-run --ignore-installed --report`)
constrained by `pip freeze` of the running venv, from the configured indexes. `make venv` installs with both
files as constraints; tests/test_dependencies.py checks that they match the venv and pyproject.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"server": ROOT / "requirements" / "server.lock", "tablet": ROOT / "requirements" / "tablet.lock"}
PROJECT = "field-evidence"


def _pip(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def resolve(extra: str, constraints: Path | None = None) -> dict[str, str]:
    """What `pip install '.[extra]'` would install into an empty environment: {name: version}, the project
    itself left out. With `constraints`, versions are held to it."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        _pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
             *(["-c", str(constraints)] if constraints else []), f".[{extra}]")
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {i["metadata"]["name"]: i["metadata"]["version"] for i in installs if i["metadata"]["name"] != PROJECT}


def lock_text(extra: str, pins: dict[str, str]) -> str:
    lines = [f"# pip install '.[{extra}]' -c requirements/{extra}.lock: every distribution it brings, pinned.",
             "# Written by `python -m scripts.lock` from the venv the tests ran in; do not edit by hand."]
    return "\n".join(lines + [f"{name}=={pins[name]}" for name in sorted(pins, key=str.lower)]) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        frozen = Path(tmp) / "venv.txt"
        frozen.write_text(_pip("freeze", "--exclude-editable"), encoding="utf-8")
        for extra, path in LOCKS.items():
            pins = resolve(extra, frozen)
            path.parent.mkdir(exist_ok=True)
            path.write_text(lock_text(extra, pins), encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(pins)} distributions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
