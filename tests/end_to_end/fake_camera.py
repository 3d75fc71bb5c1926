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

from PIL import Image, ImageEnhance, ImageFilter

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
    with Image.open(path) as opened:
        photo = opened.convert("RGB")
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


def screen_scene(screen: Image.Image, size: tuple[int, int] = FRAME_SIZE, tilt: float = 0.12,
                 contrast: float = 0.55, blur: float = 1.0) -> Image.Image:
    """A monitor showing `screen`, filmed from the side: the page keystoned (its far edge `tilt` of the
    height shorter), washed out by the room's light (`contrast`), a little out of focus (`blur`), with a
    dark bezel and a desk around it."""
    inner = (int(size[0] * 0.8), int(size[0] * 0.8 * screen.height / screen.width))
    inner = (inner[0], min(inner[1], int(size[1] * 0.9)))
    page = ImageEnhance.Contrast(screen.convert("RGB").resize(inner, Image.Resampling.LANCZOS)).enhance(contrast)
    page = ImageEnhance.Brightness(page).enhance(1.1)
    frame = Image.new("RGB", size, (120, 110, 100))
    monitor = Image.new("RGB", (inner[0] + 24, inner[1] + 24), (25, 25, 28))
    monitor.paste(page, (12, 12))
    w, h = monitor.size
    # corners of the monitor in the frame: the right edge further away, so shorter
    left, top = (size[0] - w) // 2, (size[1] - h) // 2
    shrink = int(h * tilt / 2)
    corners = [(left, top), (left + w, top + shrink), (left + w, top + h - shrink), (left, top + h)]
    coefficients = _perspective(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    warped = monitor.transform(size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", monitor.size, 255).transform(size, Image.Transform.PERSPECTIVE, coefficients)
    frame.paste(warped, (0, 0), mask)
    return frame.filter(ImageFilter.GaussianBlur(blur)) if blur else frame


def _perspective(to: list[tuple[int, int]], source: list[tuple[int, int]]) -> list[float]:
    """Pillow's 8 coefficients mapping frame points `to` back to picture points `source`."""
    rows: list[list[float]] = []
    values: list[float] = []
    for (x, y), (u, v) in zip(to, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend([u, v])
    return _solve(rows, values)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 unknowns: no numpy needed)."""
    n = len(b)
    m = [list(map(float, row)) + [float(v)] for row, v in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                m[r] = [x - factor * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]
