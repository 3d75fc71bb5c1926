"""Photo evidence over every real camera file in the shared test media (R10: authentic, complete)."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageChops, ImageStat

from field_app.capture.photo import BROKEN, NOT_A_PHOTO, TOO_LARGE, ingest_photo, thumbnail_png
from field_app.errors import PhotoRejected
from tests.field_app.helpers import PHOTOS

# The files in invalid/ come from exif-samples' "invalid" folder: their EXIF/XMP metadata is odd
# (corrupted maker notes, XMP where EXIF is expected), but every one decodes completely and shows
# a whole picture, so they are usable photos. The app accepts them and ignores what metadata it
# cannot read. Genuinely broken files are made below from real photos (truncated, damaged).
DECODABLE_WITH_ODD_METADATA = {"corrupted.jpg", "image00971.jpg", "image01088.jpg", "image01137.jpg"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".png", ".webp"}
ALL = sorted(p for p in PHOTOS.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
VALID = [p for p in ALL if p.parent.name != "invalid" or p.name in DECODABLE_WITH_ODD_METADATA]


def _ids(paths):
    return [str(p.relative_to(PHOTOS)) for p in paths]


def test_the_shared_test_media_is_all_covered():
    assert len(ALL) >= 35 and any(p.suffix.lower() == ".heic" for p in ALL)
    assert all((PHOTOS / "invalid" / name).is_file() for name in DECODABLE_WITH_ODD_METADATA)


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_every_real_photo_is_accepted_with_its_original_bytes_and_upright_size(path):
    data = path.read_bytes()
    accepted = ingest_photo(data, path.name)
    assert accepted.data is data  # the evidence is what the camera wrote, byte for byte
    assert accepted.media_type in {"image/jpeg", "image/heic", "image/heif"}
    thumb = Image.open(io.BytesIO(thumbnail_png(data, 256)))
    assert thumb.format == "PNG" and max(thumb.size) == min(256, max(accepted.width, accepted.height))
    assert (thumb.width >= thumb.height) == (accepted.width >= accepted.height)


def test_the_invalid_folder_holds_only_the_known_odd_metadata_files_or_rejected_ones():
    invalid = sorted((PHOTOS / "invalid").iterdir())
    assert {p.name for p in invalid} >= DECODABLE_WITH_ODD_METADATA
    for path in invalid:
        if path.name in DECODABLE_WITH_ODD_METADATA:
            assert ingest_photo(path.read_bytes()).width > 0
        else:  # a file added later that is really broken must be refused with a reason
            with pytest.raises(PhotoRejected) as rejected:
                ingest_photo(path.read_bytes(), path.name)
            assert rejected.value.message


def test_a_corrupted_entropy_stream_is_rejected():
    data = bytearray((PHOTOS / "gps/DSCN0025.jpg").read_bytes())
    huffman = data.rindex(b"\xff\xc4")
    data[huffman + 4: huffman + 20] = b"\xff" * 16  # a Huffman table no decoder can use
    with pytest.raises(PhotoRejected) as rejected:
        ingest_photo(bytes(data))
    assert rejected.value.message == BROKEN


@pytest.mark.parametrize("n", range(1, 9))
@pytest.mark.parametrize("shape", ["landscape", "portrait"])
def test_thumbnails_are_upright_whatever_the_exif_orientation(shape, n):
    reference = Image.open(io.BytesIO(thumbnail_png((PHOTOS / f"orientation/{shape}_1.jpg").read_bytes(), 200)))
    data = (PHOTOS / f"orientation/{shape}_{n}.jpg").read_bytes()
    accepted = ingest_photo(data)
    thumb = Image.open(io.BytesIO(thumbnail_png(data, 200)))
    assert thumb.size == reference.size
    assert (accepted.width > accepted.height) == (shape == "landscape")
    diff = ImageStat.Stat(ImageChops.difference(thumb.convert("L"), reference.convert("L"))).mean[0]
    # each file also prints its orientation number, so even upright ones differ by ~15;
    # a wrong orientation differs by 37 or more
    assert diff < 25, f"orientation {n} not applied (mean difference {diff:.1f})"


def test_exif_time_and_gps_are_read_as_numbers():
    accepted = ingest_photo((PHOTOS / "gps/DSCN0010.jpg").read_bytes())
    assert accepted.taken_at is not None and accepted.taken_at.isoformat() == "2008-10-22T16:28:39"
    assert accepted.gps is not None
    assert accepted.gps.lat == pytest.approx(43.4674483, abs=1e-6)
    assert accepted.gps.lon == pytest.approx(11.8851267, abs=1e-6)


def test_a_photo_without_gps_has_none_and_an_iphone_heic_keeps_its_time_offset():
    assert ingest_photo((PHOTOS / "Nikon_D70.jpg").read_bytes()).gps is None
    heic = ingest_photo((PHOTOS / "heic/iphone_13_pro_max.HEIC").read_bytes())
    assert heic.media_type == "image/heic" and (heic.width, heic.height) == (3024, 4032)
    assert heic.taken_at is not None and heic.taken_at.utcoffset() is not None


@pytest.mark.parametrize("name", ["mobile/HMD_Nokia_8.3_5G.jpg", "gps/DSCN0012.jpg", "Canon_40D.jpg",
                                  "heic/iphone_13_pro_max.HEIC",
                                  "heic/samplefilehub.heif"])
@pytest.mark.parametrize("keep", [0.2, 0.6, 0.95])
def test_a_truncated_photo_is_rejected_as_incomplete(name, keep):
    data = (PHOTOS / name).read_bytes()
    with pytest.raises(PhotoRejected) as rejected:
        ingest_photo(data[: int(len(data) * keep)])
    assert rejected.value.message in (BROKEN, NOT_A_PHOTO)


def test_a_photo_with_damaged_headers_is_rejected():
    data = bytearray((PHOTOS / "gps/DSCN0021.jpg").read_bytes())
    sof = data.rindex(b"\xff\xc0")  # the frame header of the main image (not the EXIF thumbnail's)
    data[sof + 5: sof + 9] = b"\x00" * 4  # height and width zero
    with pytest.raises(PhotoRejected) as rejected:
        ingest_photo(bytes(data))
    assert rejected.value.message == BROKEN


@pytest.mark.parametrize("data", [b"", b"hello, not a photo", (PHOTOS / "SOURCES.txt").read_bytes(),
                                  b"\xff\xd8\xff\xe0" + b"\x00" * 64, b"GIF89a" + b"\x01" * 40])
def test_non_photos_are_rejected_with_a_chinese_reason(data):
    with pytest.raises(PhotoRejected) as rejected:
        ingest_photo(data, "x.jpg")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rejected.value.message)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_a_decompression_bomb_is_refused_before_decoding(side):
    with pytest.raises(PhotoRejected) as rejected:
        ingest_photo(_png_header_only(side, side))
    assert rejected.value.message == TOO_LARGE
