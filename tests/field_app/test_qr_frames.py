"""The frames a 扫描二维码 reads one after another (field_app/views/qr_scan.py): the web camera's JPEGs,
mirrored when the browser takes the camera for a front one, sometimes cut short; each either gives the
code's text or lets the scan read the next frame, and never stops it with an error."""
from __future__ import annotations

import io

import segno
from PIL import Image, ImageOps

from field_app.viewmodels.device import Provisioner
from tests.field_app.helpers import photo

TEXT = '{"k":"hcwq-enrol","v":1,"url":"https://127.0.0.1:8443","ca":"' + "ab" * 32 + \
       '","code":"YK9J6ARGGRGK","exp":"2026-12-07T22:10:47Z"}'


def camera_jpeg(mirrored: bool) -> bytes:
    """The code on a grey desk in a 1280x720 JPEG at the browser's canvas quality, as a camera frame."""
    code = io.BytesIO()
    segno.make(TEXT, error="m").save(code, kind="png", scale=6, border=4)
    frame = Image.new("RGB", (1280, 720), (150, 150, 150))
    frame.paste(Image.open(code).convert("RGB").rotate(12, expand=True, fillcolor=(150, 150, 150)), (600, 120))
    out = io.BytesIO()
    (ImageOps.mirror(frame) if mirrored else frame).save(out, "JPEG", quality=92)
    return out.getvalue()


def test_a_frame_gives_the_code_s_text_mirrored_or_not():
    assert Provisioner.read(camera_jpeg(mirrored=False)) == TEXT
    assert Provisioner.read(camera_jpeg(mirrored=True)) == TEXT


def test_a_frame_without_a_code_or_cut_short_lets_the_scan_go_on():
    assert Provisioner.read(photo()) is None
    whole = camera_jpeg(mirrored=False)
    assert Provisioner.read(whole[:200]) is None  # a frame cut short: not an image, no error
    assert Provisioner.read(b"") is None
