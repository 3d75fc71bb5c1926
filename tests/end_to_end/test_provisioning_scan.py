"""Issue 18's 扫描二维码, for real: Chromium's fake camera films the enrolment QR code the console drew.

An administrator creates an enrolment in the console; the console's own QR image (its SVG, as the
browser draws it) is put on a grey desk, turned a little, in a 1280x720 video that Chromium plays as its
camera. A fresh tablet (no server configured) presses 扫描二维码 and ends provisioned, the office's name
shown, the camera released. Then a camera that sees a room and no code: a Chinese message, the camera
released, nothing kept, and the typed payload still provisions the tablet.
"""
from __future__ import annotations

import io
import json
import time

import pytest
import zxingcpp
from PIL import Image, ImageOps
from playwright.sync_api import sync_playwright

from schemas.devices import parse_payload
from tests.end_to_end.fake_camera import photo_scene, read_y4m_frame, scene, screen_scene, write_y4m
from tests.end_to_end.flet_browser import (
    SCREENS_DIR,
    WAIT_MS,
    fill_field,
    launch_browser,
    locate,
    new_tablet_page,
    open_flet,
    shot,
    stop_process,
    tap,
    wait_text,
)
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product, chromium_tls_args
from tests.end_to_end.test_provisioning import OFFICE, PASSWORDS, start_fresh_app
from tests.media import PHOTOS

MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHOTO = PHOTOS / "Canon_40D.jpg"  # a room with no code in it
# Every camera stream the page opens, kept to check afterwards that each was stopped (camera released).
TRACK_STREAMS_JS = """
(() => {
  window.__streams = [];
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => { const s = await original(c); window.__streams.push(s); return s; };
})();
"""
LIVE_TRACKS_JS = "window.__streams.flatMap(s => s.getVideoTracks()).filter(t => t.readyState === 'live').length"
OPENED_JS = "window.__streams.length"


@pytest.fixture(scope="module")
def playwright():
    """One Playwright for the module: the console's browser and each camera's browser are launched from it
    (each fake camera plays one file, given at launch)."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def fresh(tmp_path, agency):
    """The server (demo seeded) and a tablet app out of the box: no server, no CA configured."""
    product = Product(tmp_path, agency)
    product.start_server()
    app = start_fresh_app(product)
    yield product
    stop_process(app)
    product.stop()


def enrol(playwright, product: Product, name: str) -> tuple[str, Image.Image, Image.Image]:
    """An administrator's enrolment in the console: the payload shown under the code, the code's image
    as the console draws it (a screenshot of its SVG), and the whole page as its screen shows it."""
    browser = launch_browser(playwright, chromium_tls_args(product.agency))
    try:
        context, console = console_sign_in(browser, product, "admin", PASSWORDS["admin"],
                                           viewport={"width": 1280, "height": 900})
        console.goto(f"{product.server_url}/console/devices/enrol")
        console.select_option("select[name=team_id]", "team-yb-01")
        console.fill("input[name=note]", "平板 08 号")
        console.click("form[action='/console/devices/enrol'] button[type=submit]")
        console.wait_for_selector("#enrolment-qr svg")
        SCREENS_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENS_DIR / f"{name}-console-qr.png"
        console.locator("#enrolment-qr svg").screenshot(path=str(path))
        screen = Image.open(io.BytesIO(console.screenshot())).convert("RGB")
        text = console.inner_text("#enrolment-payload").strip()
        context.close()
    finally:
        browser.close()
    return text, Image.open(path).convert("RGB"), screen


def camera_browser(playwright, product: Product, video):
    """Chromium whose only camera plays `video` in a loop."""
    return launch_browser(playwright, [*chromium_tls_args(product.agency), *MEDIA_FLAGS,
                                       f"--use-file-for-fake-video-capture={video}"])


def open_fresh_tablet(browser, product: Product):
    context, page = new_tablet_page(browser, permissions=["camera"])
    context.add_init_script(TRACK_STREAMS_JS)
    open_flet(page, product.app_url)
    wait_text(page, "本平板尚未登记到机构服务器")
    return context, page


def wait_released(page) -> None:
    """Wait until the camera was opened and every stream it gave is stopped (the camera released)."""
    page.wait_for_function(f"{OPENED_JS} > 0 && {LIVE_TRACKS_JS} === 0", timeout=WAIT_MS)


def assert_not_mirrored(page, filmed: Image.Image) -> None:
    """The preview shows the scene the right way round (aiming at a mirror image confuses): a screenshot of
    it is nearer to what the camera films than to its mirror image."""
    seen = Image.open(io.BytesIO(page.locator('[flt-semantics-identifier="provision-scan-preview"]').first
                                 .screenshot()))

    def distance(a: Image.Image, b: Image.Image) -> float:
        small = [i.convert("L").resize((32, 18), Image.Resampling.BOX) for i in (a, b)]
        return sum(abs(x - y) for x, y in zip(small[0].tobytes(), small[1].tobytes(), strict=True)) / (32 * 18)

    right_way, mirrored = distance(seen, filmed), distance(seen, ImageOps.mirror(filmed))
    assert right_way < mirrored / 2, (right_way, mirrored)


def no_control_errors(page) -> None:
    """No red box of Flet's own (a control misbuilt, e.g. "Semantics.content must be provided and visible")."""
    assert page.locator("[aria-label*='must be'], [aria-label*='Exception'], [aria-label*='Error']").count() == 0


def app_log(product: Product) -> str:
    return (product.root / "field_app.log").read_text(encoding="utf-8", errors="replace")


def kept(product: Product) -> dict | None:
    path = product.root / "tablet" / "provisioning.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def test_scanning_the_consoles_qr_code_with_the_camera_provisions_the_tablet(tmp_path, fresh, playwright):
    text, qr, _screen = enrol(playwright, fresh, "scan")
    payload = parse_payload(text)
    video = write_y4m(tmp_path / "console-qr.y4m", scene(qr, turn_degrees=8))
    [seen] = zxingcpp.read_barcodes(read_y4m_frame(video))  # the file itself holds a readable code
    assert seen.text == text
    browser = camera_browser(playwright, fresh, video)
    try:
        context, page = open_fresh_tablet(browser, fresh)
        shot(page, "provision-scan-01-first-screen")
        no_control_errors(page)
        button = locate(page, "provision-scan")
        pressed = time.monotonic()
        button.tap()
        button.tap()  # an impatient second press: ignored while the first scan runs
        wait_text(page, f"本设备已登记到：{OFFICE}")
        timing = {"scan_to_registered_s": round(time.monotonic() - pressed, 2)}
        (SCREENS_DIR.parent / "timings-provision-scan.json").write_text(json.dumps(timing))
        shot(page, "provision-scan-02-registered")
        wait_released(page)
        assert kept(fresh)["office_name"] == OFFICE and kept(fresh)["ca_sha256"] == payload.ca
        assert kept(fresh)["server_url"] == payload.url == fresh.server_url
        tap(page, "provisioned-continue")
        wait_text(page, "账号")  # on to the team's sign-in, against the server in the code
        context.close()
    finally:
        browser.close()
    assert "Previous capture has not returned yet" not in app_log(fresh)  # no second capture was started


def test_a_camera_that_sees_no_qr_code_says_so_and_the_typed_payload_still_works(tmp_path, fresh, playwright):
    text, _qr, _screen = enrol(playwright, fresh, "noqr")
    video = write_y4m(tmp_path / "room.y4m", photo_scene(PHOTO))
    assert zxingcpp.read_barcodes(read_y4m_frame(video)) == []
    browser = camera_browser(playwright, fresh, video)
    try:
        context, page = open_fresh_tablet(browser, fresh)
        tap(page, "provision-scan")
        wait_text(page, "正在识别二维码")  # a scan takes a moment: the screen says so, and how to aim
        page.wait_for_function(f"{LIVE_TRACKS_JS} > 0")
        shot(page, "provision-scan-03-scanning")
        no_control_errors(page)
        assert_not_mirrored(page, photo_scene(PHOTO))
        opened = page.evaluate(OPENED_JS)
        page.set_viewport_size({"width": 800, "height": 1280})  # the tablet is turned upright mid-scan
        page.wait_for_function(f"{OPENED_JS} > {opened} && {LIVE_TRACKS_JS} > 0")  # the camera started again
        wait_text(page, "正在识别二维码")  # and the scan goes on in the new drawing
        wait_text(page, "画面中没有识别到二维码")
        shot(page, "provision-scan-04-no-code")
        no_control_errors(page)
        wait_released(page)
        assert kept(fresh) is None and not (fresh.root / "tablet" / "agency-ca.pem").exists()
        fill_field(page, "provision-payload", text)  # the field is still there and takes the text
        tap(page, "provision-submit")
        wait_text(page, f"本设备已登记到：{OFFICE}")
        assert kept(fresh)["office_name"] == OFFICE
        context.close()
    finally:
        browser.close()


def test_a_scan_stopped_then_aimed_at_the_code_provisions_the_tablet(tmp_path, fresh, playwright):
    """停止扫描 ends a scan at once, camera off and nothing said against it; the surveyor then aims at the
    administrator's screen showing the console page, from the side (Chromium opens its file anew at each
    camera start), and scans again."""
    text, _qr, screen = enrol(playwright, fresh, "again")
    video = write_y4m(tmp_path / "camera.y4m", photo_scene(PHOTO))
    browser = camera_browser(playwright, fresh, video)
    try:
        context, page = open_fresh_tablet(browser, fresh)
        tap(page, "provision-scan")
        page.wait_for_function(f"{LIVE_TRACKS_JS} > 0")
        tap(page, "provision-scan-stop")
        wait_released(page)
        locate(page, "扫描二维码")  # the button is back, well before the scan's time is up
        assert page.get_by_text("没有识别到二维码").count() == 0 and kept(fresh) is None
        # now the camera films the console's screen from the side: keystoned, washed out, a little blurred
        write_y4m(video, screen_scene(screen))
        tap(page, "provision-scan")
        wait_text(page, f"本设备已登记到：{OFFICE}")
        wait_released(page)
        assert kept(fresh)["server_url"] == parse_payload(text).url
        context.close()
    finally:
        browser.close()


def test_a_tablet_whose_camera_is_refused_says_so_and_the_typed_payload_still_works(fresh, playwright):
    """No camera permission (the surveyor said no, or the tablet has none): a Chinese reason at once, not
    a scan that waits, and the typed payload provisions the tablet."""
    text, _qr, _screen = enrol(playwright, fresh, "nocamera")
    browser = launch_browser(playwright, chromium_tls_args(fresh.agency))  # no fake camera, no permission
    try:
        context, page = new_tablet_page(browser)
        context.add_init_script(TRACK_STREAMS_JS)
        open_flet(page, fresh.app_url)
        pressed = time.monotonic()
        tap(page, "provision-scan")
        wait_text(page, "相机无法使用")
        refused_after = time.monotonic() - pressed
        shot(page, "provision-scan-05-no-camera")
        no_control_errors(page)
        assert "Exception" not in wait_text(page, "相机无法使用")  # what to do, in Chinese; the reason is logged
        locate(page, "扫描二维码")
        assert page.evaluate(LIVE_TRACKS_JS) == 0 and kept(fresh) is None
        fill_field(page, "provision-payload", text)
        tap(page, "provision-submit")
        wait_text(page, f"本设备已登记到：{OFFICE}")
        context.close()
    finally:
        browser.close()
    assert refused_after < 10, refused_after
