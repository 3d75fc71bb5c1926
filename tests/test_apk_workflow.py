"""The APK workflow (.github/workflows/apk.yml; it cannot run here: no Flutter SDK) builds what pyproject
describes: `flet build apk` of main.py with the Flet version the tablet extra pins, the artifact uploaded, and
the Android permissions the app needs (camera, microphone, location, storage) declared where flet build reads
them."""
from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "apk.yml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_workflow_builds_the_launcher_with_the_pinned_flet_and_uploads_the_apk() -> None:
    job = WORKFLOW["jobs"]["apk"]
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key `on` as true
    assert "workflow_dispatch" in triggers and triggers["push"]["tags"] == ["v*"]
    flet = next(Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["tablet"]
                if Requirement(r).name == "flet")
    assert str(flet.specifier) == f"=={job['env']['FLET_VERSION']}"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "flet build apk --module-name main" in runs
    assert (ROOT / f"{PYPROJECT['tool']['flet']['app']['module']}.py").is_file()
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("subosito/flutter-action@") for u in uses)  # the Flutter SDK on the runner
    assert any(u.startswith("actions/setup-java@") for u in uses)
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "build/apk/" and upload["with"]["if-no-files-found"] == "error"


def test_the_android_permissions_cover_camera_microphone_location_and_storage() -> None:
    flet = PYPROJECT["tool"]["flet"]
    assert {"camera", "microphone", "location", "photo_library"} <= set(flet["permissions"])
    granted = {name for name, on in flet["android"]["permission"].items() if on}
    assert {"android.permission.CAMERA", "android.permission.RECORD_AUDIO", "android.permission.ACCESS_FINE_LOCATION",
            "android.permission.INTERNET", "android.permission.READ_MEDIA_IMAGES",
            "android.permission.READ_EXTERNAL_STORAGE"} <= granted
    assert flet["android"]["feature"]["android.hardware.camera"] is True
    for folder in ("sync_server", "tests", "deploy", ".venv"):
        assert folder in flet["app"]["exclude"]  # the server and the test suite stay out of the APK
