"""Issue 18 in Chromium, end to end: an administrator creates a device enrolment in the console; the test
reads the QR code's payload by decoding the code's image (zxing-cpp) and feeds it to a fresh tablet's first
screen; the tablet pins the CA, shows the office's name, the team signs in and syncs. The device is then
marked lost in the console; the tablet's next contact wipes it (its data folder holds nothing readable) and
its token and keys are refused. Screens of the new console pages in test-artifacts/screens/."""
from __future__ import annotations

import ssl
import sys

import httpx
import zxingcpp
from PIL import Image

from field_app.store import queries as q
from schemas.devices import parse_payload
from sync_server.ops.seed import DEMO_ACCOUNTS
from tests.end_to_end.flet_browser import (
    SCREENS_DIR,
    fill_field,
    new_tablet_page,
    open_flet,
    shot,
    start_process,
    stop_process,
    tap,
    wait_text,
)
from tests.end_to_end.flows import console_sign_in, tablet_store
from tests.end_to_end.product import Product
from tests.end_to_end.tablet import Tablet

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
OFFICE = "渝北区救助家庭经济状况核查认定中心"


def start_fresh_app(product: Product):
    """The tablet app as it comes out of the box: no server and no CA configured anywhere."""
    cmd = [sys.executable, "-m", "field_app", "--port", str(product.app_port), "--data-dir",
           str(product.root / "tablet"), "--key-dir", str(product.root / "tablet-keys")]
    return start_process(cmd, env={"FIELD_SERVER_URL": "", "FIELD_CA_FILE": ""}, ready_url=product.app_url,
                         timeout=60, log_path=product.root / "field_app.log")


def decode_qr_on_page(page) -> str:
    """The text of the QR code the console shows, read from a screenshot of its image (kept beside the
    page's screenshot)."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / "console-device-enrol-qr.png"
    page.locator("#enrolment-qr svg").screenshot(path=str(path))
    [found] = zxingcpp.read_barcodes(Image.open(path))
    return found.text


def shown(page, identifier: str) -> bool:
    return page.locator(f'[flt-semantics-identifier="{identifier}"]').count() > 0


def readable(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_an_administrator_provisions_a_tablet_by_qr_and_a_lost_tablet_wipes_itself(tmp_path, agency, browser):
    product = Product(tmp_path, agency)
    product.start_server()
    app = start_fresh_app(product)
    try:
        run(product, browser)
    finally:
        stop_process(app)
        product.stop()


def run(product: Product, browser) -> None:
    admin_ctx, console = console_sign_in(browser, product, "admin", PASSWORDS["admin"],
                                         viewport={"width": 1280, "height": 900})
    console.goto(f"{product.server_url}/console/devices/enrol")
    console.select_option("select[name=team_id]", "team-yb-01")
    console.fill("input[name=note]", "平板 07 号")
    console.click("form[action='/console/devices/enrol'] button[type=submit]")
    console.wait_for_selector("#enrolment-qr svg")
    shot(console, "console-device-enrol")
    text = decode_qr_on_page(console)
    assert text == console.inner_text("#enrolment-payload").strip()  # the code holds what is shown beside it
    payload = parse_payload(text)
    assert payload.url == product.server_url and len(payload.ca) == 64

    tablet_ctx, page = new_tablet_page(browser)
    open_flet(page, product.app_url)
    wait_text(page, "本平板尚未登记到机构服务器")
    shot(page, "tablet-provision-01-first-screen")
    fill_field(page, "provision-payload", text)
    tap(page, "provision-submit")
    wait_text(page, f"本设备已登记到：{OFFICE}")
    shot(page, "tablet-provision-02-registered")
    tap(page, "provisioned-continue")
    tablet = Tablet(page, "tablet-provision")
    tablet.download_cases()  # both surveyors sign in over HTTPS pinned to the QR code's CA
    tablet.tap_until("nav-outbox", lambda: shown(page, "sync-button"), "the outbox did not open")
    tap(page, "sync-button")  # the sync: the tablet reports its state, then uploads (nothing to upload)
    wait_text(page, "没有需要上传的记录")
    device_id = (product.root / "tablet" / "device_id").read_text().strip()
    tablet.tap_until("nav-device", lambda: shown(page, "device-setting-2"), "the settings did not open")
    assert payload.ca in wait_text(page, "机构 CA 指纹")  # 设备设置: server, CA fingerprint, device id
    wait_text(page, f"设备编号：{device_id}")
    wait_text(page, f"服务器：{product.server_url}")
    shot(page, "tablet-provision-03-settings")
    store, _evidence = tablet_store(product.root)
    try:
        with store.reading() as s:
            token = q.get_account(s, "zhangwei").token
    finally:
        store.close()

    console.goto(f"{product.server_url}/console/devices")
    row = console.locator(f"tr[data-device='{device_id}']")
    assert "张伟" in row.inner_text() or "zhangwei" in row.inner_text() or "lina" in row.inner_text()
    assert "从未同步" not in row.inner_text() and "在用" in row.inner_text()
    shot(console, "console-devices")
    row.locator("button.danger").click()
    console.wait_for_selector("p[role=status]")
    assert "已登记为丢失" in console.inner_text("p[role=status]")
    shot(console, "console-devices-lost")

    tablet.tap_until("nav-cases", lambda: shown(page, "download-cases"), "the case list did not open")
    tap(page, "download-cases")  # the next contact: the server answers device.lost
    wait_text(page, "本机的调查数据与密钥已全部清除")
    shot(page, "tablet-provision-04-wiped")
    assert readable(product.root / "tablet") == [] and readable(product.root / "tablet-keys") == []

    trusted = ssl.create_default_context(cafile=str(product.ca_file))
    with httpx.Client(base_url=f"{product.server_url}/api/v1", verify=trusted, timeout=30) as api:
        refused = api.get("/cases", headers={"Authorization": f"Bearer {token}", "X-Device-Id": device_id})
        assert (refused.status_code, refused.json()["code"]) == (403, "device.lost")
        elsewhere = api.get("/cases", headers={"Authorization": f"Bearer {token}"})
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "auth.invalid")
        admin = api.post("/auth/login", json={"username": "admin", "password": PASSWORDS["admin"]}).json()["token"]
        keys = api.get("/accounts/zhangwei/keys", headers={"Authorization": f"Bearer {admin}"}).json()
        on_it = [k for k in keys if k["device_id"] == device_id]
        assert on_it and all(k["revoked_at"] for k in on_it)
    tablet_ctx.close()
    admin_ctx.close()
