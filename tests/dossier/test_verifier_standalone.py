"""The verifier needs neither the server, its database nor the app's models (R20): it can be copied out."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "dossier_verify"
ALLOWED = {"base64", "binascii", "hashlib", "json", "zipfile", "stat", "struct", "zlib", "html", "argparse", "sys", "pathlib", "typing",
           "collections", "dataclasses", "enum", "__future__", "rfc8785", "cryptography", "dossier_verify"}


def test_the_verifier_imports_only_the_standard_library_cryptography_and_rfc8785():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED, (path.name, roots - ALLOWED)


def test_running_the_verifier_loads_no_application_module():
    code = ("import sys, dossier_verify.__main__, dossier_verify.dossier; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'schemas', 'sync_server', 'field_app', 'pydantic', 'sqlmodel', 'fastapi', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], check=False, cwd=PACKAGE.parent, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
