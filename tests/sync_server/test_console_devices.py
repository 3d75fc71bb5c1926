"""Issue 18: the console's 设备登记 and 设备 pages (administrators only). The enrolment page shows a QR code
(inline SVG, drawn on the server) and the same payload as text; the payload enrols a tablet once; the fleet
list shows it and its 设备丢失 action shuts it out."""
from __future__ import annotations

import html
import re

import pytest
import zxingcpp
from PIL import Image

from schemas.devices import parse_payload
from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.helpers import FieldTeam, problem_of

_PAYLOAD = re.compile(r'<pre[^>]*id="enrolment-payload"[^>]*>(.*?)</pre>', re.S)


def _dark_path(svg: str) -> str:
    return re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]


def svg_to_image(svg: str) -> Image.Image:
    """Raster the QR SVG (segno's one path of unit-wide horizontal lines) with Pillow, to decode it."""
    size = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    scale = int(re.search(r'scale\((\d+)\)', svg).group(1))  # type: ignore[union-attr]
    image = Image.new("L", (size, size), 255)
    pixels = image.load()
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s*(-?[\d.]+))?", _dark_path(svg)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                for dx in range(scale):
                    for dy in range(scale):
                        pixels[int((x + i) * scale) + dx, int((y - 0.5) * scale) + dy] = 0
            x += float(a)
    return image


def test_an_administrator_enrols_a_tablet_from_the_qr_code_and_marks_it_lost(team: FieldTeam):
    client = team.client
    assert console_login(client, "admin").status_code == 303
    shown = console_post(client, "/console/devices/enrol", {"org_id": DEMO_AGENCY, "team_id": DEMO_TEAM_ID,
                                                            "note": "平板 07 号"}, page="/console/devices/enrol")
    assert shown.status_code == 200, shown.text
    svg = re.search(r"<svg.*?</svg>", shown.text, re.S).group(0)  # type: ignore[union-attr]
    decoded = zxingcpp.read_barcodes(svg_to_image(svg))
    assert len(decoded) == 1 and decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    text = html.unescape(_PAYLOAD.search(shown.text).group(1))  # type: ignore[union-attr]
    assert decoded[0].text == text  # the QR code holds exactly the payload shown beside it
    payload = parse_payload(decoded[0].text)
    enrolled = client.post(f"{API_PREFIX}/devices/enrol", json={"code": payload.code, "device_id": "tablet-qr-07"})
    assert enrolled.status_code == 200, enrolled.text
    listing = client.get("/console/devices")
    assert listing.status_code == 200 and 'data-device="tablet-qr-07"' in listing.text and "在用" in listing.text
    lost = console_post(client, "/console/devices/tablet-yb-01/lost", {"mode": "wipe_now"}, page="/console/devices")
    assert lost.status_code == 200 and "已登记为丢失" in lost.text
    refused = problem_of(client.get(f"{API_PREFIX}/cases", headers=team.headers["zhangwei"]))
    assert refused["code"] == "device.lost"


@pytest.mark.parametrize("username", ["wangfang", "chenjing"])
def test_the_device_pages_are_for_administrators_only(team: FieldTeam, username: str):
    assert console_login(team.client, username).status_code == 303
    assert team.client.get("/console/devices").status_code == 403
    assert team.client.get("/console/devices/enrol").status_code == 403
    posted = console_post(team.client, "/console/devices/tablet-yb-01/lost", {"mode": "wipe_now"})
    assert posted.status_code == 403
    assert team.client.get(f"{API_PREFIX}/cases", headers=team.headers["zhangwei"]).status_code == 200


def test_a_tablet_waiting_to_upload_can_be_cut_off_at_once(team: FieldTeam):
    assert console_login(team.client, "admin").status_code == 303
    first = console_post(team.client, "/console/devices/tablet-yb-01/lost", {"mode": "upload_first"},
                         page="/console/devices")
    assert "只能上传已封存的记录" in first.text and "不再等待上传，立即停用" in first.text
    assert problem_of(team.client.get(f"{API_PREFIX}/cases", headers=team.headers["lina"]))["code"] == \
        "device.upload_only"
    cut = console_post(team.client, "/console/devices/tablet-yb-01/lost", {"mode": "wipe_now"}, page="/console/devices")
    assert "已停用" in cut.text
    assert problem_of(team.client.get(f"{API_PREFIX}/cases", headers=team.headers["lina"]))["code"] == "device.lost"
