"""Issue 18 on the tablet, against the real server over HTTPS: a fresh tablet is provisioned from the
enrolment payload (the CA pinned by the QR code's fingerprint, the office's name shown, kept across a
restart), a CA that is not the QR code's is refused in Chinese, and a tablet marked lost wipes itself at its
next contact (uploading what it sealed first when the office says so) so that nothing readable remains."""
from __future__ import annotations

import contextlib
import io
import shutil
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import segno

from field_app.app import build_model
from field_app.errors import DeviceWiped
from field_app.provisioning import CA_FILE, PROVISIONING_FILE, decode_qr
from field_app.settings import Settings
from field_app.viewmodels.model import AppModel
from schemas.devices import parse_payload
from sync_server.edge.tls import TlsFiles
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID
from sync_server.services import utc_now
from tests.field_app.live_server import PINS, LiveServer
from tests.field_app.test_sync_live import _seal_home_visit

AGENCY_NAME = "渝北区救助家庭经济状况核查认定中心"




def serve(root: Path, files: TlsFiles) -> LiveServer:
    """The real server over HTTPS with `files`' certificate; it hands out `files`' CA to tablets."""
    (root / "server" / "tls").mkdir(parents=True)
    shutil.copy(files.ca_cert, root / "server" / "tls" / "ca.crt")
    live = LiveServer(root / "server", utc_now, tls=(files.server_cert, files.server_key))
    live.start()
    return live


@pytest.fixture
def server(tmp_path: Path, agency: TlsFiles):
    live = serve(tmp_path, agency)
    yield live
    close_tablets()
    live.close()


@contextlib.contextmanager
def admin_api(live: LiveServer, agency: TlsFiles) -> Iterator[httpx.Client]:
    """The administrator, signed in over the API (trusting only the agency CA)."""
    with httpx.Client(base_url=f"{live.url}/api/v1", timeout=30,
                      verify=ssl.create_default_context(cafile=str(agency.ca_cert))) as client:
        reply = client.post("/auth/login", json={"username": "admin", "password": "Keep$Records2026"})
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        yield client


def enrolment_text(live: LiveServer, agency: TlsFiles) -> str:
    with admin_api(live, agency) as api:
        reply = api.post("/admin/enrolments", json={"org_id": DEMO_AGENCY, "team_id": DEMO_TEAM_ID})
        assert reply.status_code == 201, reply.text
        return reply.json()["payload_text"]


OPENED: list[AppModel] = []


def close_tablets() -> None:
    """Close the tablets' connections before their server stops (it waits for open keep-alives)."""
    while OPENED:
        model = OPENED.pop()
        model.client.close()
        model.store.close()


def start(settings: Settings) -> AppModel:
    OPENED.append(build_model(settings))
    return OPENED[-1]


def fresh_tablet(tmp_path: Path) -> tuple[AppModel, Settings]:
    """A tablet as it comes out of the box: no server configured (the first screen asks for the QR code)."""
    settings = Settings(server_url="", data_dir=tmp_path / "tablet", key_dir=tmp_path / "tablet-keys",
                        auto_resume_seconds=0)
    return start(settings), settings


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def readable_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_fresh_tablet_is_provisioned_from_the_qr_payload_and_keeps_it(tmp_path, server, agency):
    model, settings = fresh_tablet(tmp_path)
    assert model.provisioner is not None and not model.provisioner.provisioned
    text = enrolment_text(server, agency)
    image = io.BytesIO()
    segno.make(text, error="m").save(image, kind="png", scale=8)  # the QR code as a camera would see it
    assert model.provisioner.scan(image.getvalue()), model.provisioner.error
    assert model.provisioner.current is not None and model.provisioner.current.office_name == AGENCY_NAME
    assert (settings.data_dir / CA_FILE).read_bytes().strip() == agency.ca_cert.read_bytes().strip()
    model.team.sign_in("zhangwei", PINS["zhangwei"])  # over HTTPS pinned to the CA of the QR code
    assert model.team.members[0].online
    again = start(settings)  # a restart: still provisioned, same server
    assert again.provisioner is not None and again.provisioner.provisioned
    assert again.client.base_url == server.url
    used = model.provisioner.submit(text)  # the code was used: refused, in Chinese
    assert not used and "已使用" in model.provisioner.error


def test_a_ca_other_than_the_qr_code_s_is_refused_and_nothing_is_kept(tmp_path, agency, impostor):
    real = serve(tmp_path / "real", agency)
    fake = serve(tmp_path / "fake", impostor)
    try:
        genuine = parse_payload(enrolment_text(real, agency))
        forged = genuine.model_copy(update={"url": fake.url}).text()  # the address of another server
        model, settings = fresh_tablet(tmp_path)
        assert not model.provisioner.submit(forged)
        assert "指纹不符" in model.provisioner.error
        assert not (settings.data_dir / PROVISIONING_FILE).exists() and not (settings.data_dir / CA_FILE).exists()
        assert not model.provisioner.provisioned
        assert not model.provisioner.submit("not a QR payload") and "无法识别" in model.provisioner.error
        assert model.provisioner.submit(genuine.text()), model.provisioner.error  # the real one still works
    finally:
        close_tablets()
        real.close()
        fake.close()


def test_an_image_without_a_qr_code_is_told_so(tmp_path):
    from tests.field_app.helpers import photo
    assert decode_qr(photo()) is None


@pytest.mark.parametrize("upload_first", [False, True])
def test_a_lost_tablet_wipes_itself_at_its_next_contact(tmp_path, server, agency, upload_first):
    model, settings = fresh_tablet(tmp_path)
    assert model.provisioner.submit(enrolment_text(server, agency)), model.provisioner.error
    for username in ("zhangwei", "lina"):
        model.team.sign_in(username, PINS[username])
    model.cases.refresh()
    tablet = {"team": model.team, "cases": model.cases, "editor": model.visit}
    sealed = _seal_home_visit(tablet)  # sealed, in the outbox, not yet uploaded
    token = model.team.token()
    assert readable_files(settings.data_dir) and readable_files(settings.key_dir)
    with admin_api(server, agency) as api:
        lost = api.post(f"/admin/devices/{model.client.device_id}/lost", json={"upload_first": upload_first})
        assert lost.status_code == 200, lost.text
    with contextlib.suppress(DeviceWiped):  # the wipe may win the race with this refresh's own reading
        model.cases.refresh()  # the next contact: the server answers device.lost / device.upload_only
    assert model.device is not None
    wait_for(lambda: model.device.wiped)
    assert readable_files(settings.data_dir) == [] and readable_files(settings.key_dir) == []
    assert "已全部清除" in model.device.message
    with admin_api(server, agency) as api:
        reviewer_view = api.get("/admin/devices").json()
        row = next(r for r in reviewer_view if r["device_id"] == model.client.device_id)
        assert row["status"] == ("wiped" if upload_first else "lost")
        keys = api.get("/accounts/zhangwei/keys").json()
        assert keys and all(k["revoked_at"] for k in keys)
        cases = api.get("/cases/case-yb-2026-0001").json()
        merged = [m["sealed"]["record"]["id"] for m in cases["records"]]
    assert (sealed.record.id in merged) is upload_first  # uploaded before the wipe only when told so
    with httpx.Client(verify=ssl.create_default_context(cafile=str(agency.ca_cert))) as wire:
        refused = wire.get(f"{server.url}/api/v1/cases", headers={"Authorization": f"Bearer {token}",
                                                                  "X-Device-Id": model.client.device_id})
    assert refused.status_code in (401, 403)
    assert refused.json()["code"] in ("device.lost", "auth.invalid")
