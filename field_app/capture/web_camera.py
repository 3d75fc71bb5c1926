"""The in-app camera in web mode shows and takes the scene as it is, not as in a mirror.

Flutter's web camera plugin (camera_web, inside flet-web's client) mirrors a camera whose video track
does not report facingMode "environment": it puts `transform: scaleX(-1)` on the preview's <video> and
flips the canvas it draws the picture from. That is right for a selfie and wrong for evidence: a
laptop's webcam, Chromium's fake camera, or a tablet browser that names no facing mode would show
door numbers, documents and signs reversed, and store them reversed. The preview is flipped back by
the view (a Flutter transform over the platform view), and the picture here, before it is checked,
hashed and kept. The picture is a canvas re-encoding already (no EXIF, no camera bytes to preserve),
so turning it back loses nothing the tablet could prove. Native builds (the Android camera plugin)
do not mirror and are left alone.
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps

BACK = "back"  # flet_camera.CameraLensDirection.BACK's value: the one direction camera_web leaves as is
JPEG_QUALITY = 95  # above the browser's own canvas encoding (0.92): the flip adds no visible loss


def web_mirrors(web: bool, lens_direction: str) -> bool:
    """Whether the camera plugin mirrors this camera: in a browser, every camera but a back-facing one."""
    return web and lens_direction != BACK


def unmirrored(jpeg: bytes) -> bytes:
    """The picture turned back left to right (a JPEG again); bytes that do not decode are returned as
    they are, for the photo check to refuse with its own reason."""
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            if image.format != "JPEG":
                return jpeg
            flipped = ImageOps.mirror(image.convert("RGB"))
    except Exception:  # noqa: BLE001 - broken bytes: the photo check names the problem
        return jpeg
    out = io.BytesIO()
    flipped.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
