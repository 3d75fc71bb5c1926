"""What Chromium's fake camera films: a still picture turned into a Y4M video file.

Chromium (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file.y4m>`) plays the
file as the camera's picture, in a loop, at the file's own size. Y4M is the simplest form it reads: one
header line, then for each frame "FRAME\\n" and the raw I420 planes (Y at full size, then U and V at half
width and half height). A still scene needs few frames; the file is held small by writing the frame once
and repeating its bytes.

`scene` puts a picture where a camera would see it: on a grey desk, off centre, turned a little, in a
landscape frame, as a tablet held over a console screen sees the enrolment code.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image

FRAME_SIZE = (1280, 720)  # what ResolutionPreset.HIGH asks for on the web (720p)


def scene(picture: Image.Image, size: tuple[int, int] = FRAME_SIZE, fraction: float = 0.55,
          turn_degrees: float = 0.0, background: int = 150) -> Image.Image:
    """`picture` scaled to `fraction` of the frame's height, turned by `turn_degrees`, placed a little
    right of centre on a plain grey background."""
    frame = Image.new("RGB", size, (background,) * 3)
    side = int(size[1] * fraction)
    scaled = picture.convert("RGB")
    scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
    if turn_degrees:
        scaled = scaled.rotate(turn_degrees, resample=Image.Resampling.BICUBIC, expand=True,
                               fillcolor=(background,) * 3)
    left = (size[0] - scaled.width) // 2 + size[0] // 12
    top = (size[1] - scaled.height) // 2
    frame.paste(scaled, (left, top))
    return frame


def photo_scene(path: Path, size: tuple[int, int] = FRAME_SIZE) -> Image.Image:
    """A photograph filling the frame (cropped to its shape), as a camera pointed at a room sees it."""
    with Image.open(path) as photo:
        photo = photo.convert("RGB")
        ratio = max(size[0] / photo.width, size[1] / photo.height)
        resized = photo.resize((round(photo.width * ratio), round(photo.height * ratio)), Image.Resampling.LANCZOS)
    left, top = (resized.width - size[0]) // 2, (resized.height - size[1]) // 2
    return resized.crop((left, top, left + size[0], top + size[1]))


def i420(frame: Image.Image) -> bytes:
    """One frame's planes: Y, then U (Cb) and V (Cr) subsampled 2x2 (full-range BT.601, as Pillow's YCbCr)."""
    if frame.width % 2 or frame.height % 2:
        raise ValueError("I420 needs an even width and height")
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    return y.tobytes() + cb.resize(half, Image.Resampling.BOX).tobytes() + cr.resize(half, Image.Resampling.BOX).tobytes()


def write_y4m(path: Path, frame: Image.Image, frames: int = 10, fps: int = 5) -> Path:
    """A video of `frames` identical frames (two seconds at 5 fps by default) that Chromium loops."""
    planes = i420(frame)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{frame.width} H{frame.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return path


def read_y4m_frame(path: Path) -> Image.Image:
    """The first frame of a Y4M file written by `write_y4m`, back as a picture (to check the file itself)."""
    data = Path(path).read_bytes()
    header, _, rest = data.partition(b"\n")
    fields = {f[:1]: f[1:] for f in header.split()[1:]}
    width, height = int(fields[b"W"]), int(fields[b"H"])
    if not rest.startswith(b"FRAME\n"):
        raise ValueError("no frame after the Y4M header")
    body, quarter = rest[6:], (width // 2) * (height // 2)
    y = Image.frombytes("L", (width, height), body[:width * height])
    cb = Image.frombytes("L", (width // 2, height // 2), body[width * height:width * height + quarter])
    cr = Image.frombytes("L", (width // 2, height // 2),
                         body[width * height + quarter:width * height + 2 * quarter])
    full = (width, height)
    return Image.merge("YCbCr", (y, cb.resize(full), cr.resize(full))).convert("RGB")
