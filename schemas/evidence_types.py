"""Which file types each kind of evidence may be, and what a file is, read from its leading bytes.

Pure magic-number checks (no library guesses, no file names): a file is one of a few container
formats or nothing. The server sniffs every cited file at ingest and refuses a record whose declared
`media_type` is not allowed for the evidence kind or not what the bytes are (see `evidence/sniffing.py`,
which also has Pillow decode every image, so a JPEG header in front of HTML is no JPEG).
"""
from __future__ import annotations

from schemas.records import EvidenceKind

HEAD_BYTES = 64  # enough for every signature below
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"})
M4A_BRANDS = frozenset({b"M4A ", b"M4B "})
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
                        b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"MSNV", b"f4v ", b"mmp4"})

# What the bytes are (canonical type) -> the declared types that name it truthfully.
DECLARABLE: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"image/jpeg"}),
    "image/png": frozenset({"image/png"}),
    "image/webp": frozenset({"image/webp"}),
    "image/heic": frozenset({"image/heic", "image/heif"}),
    "audio/mp4": frozenset({"audio/mp4", "audio/x-m4a", "audio/m4a", "audio/aac"}),
    "video/mp4": frozenset({"video/mp4", "audio/mp4", "audio/x-m4a", "audio/m4a"}),  # an .m4a may say isom
    "video/quicktime": frozenset({"video/quicktime"}),
    "video/webm": frozenset({"video/webm", "audio/webm"}),
    "audio/ogg": frozenset({"audio/ogg", "audio/opus"}),
    "audio/wav": frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}),
    "audio/mpeg": frozenset({"audio/mpeg", "audio/mp3"}),
    "application/pdf": frozenset({"application/pdf"}),
    "application/json": frozenset({"application/json"}),  # only a signature's raw pen strokes (see below)
}

# The declared types each kind of evidence may carry (the formats the tablet captures; R10).
ALLOWED: dict[EvidenceKind, frozenset[str]] = {
    EvidenceKind.PHOTO: frozenset({"image/jpeg", "image/png", "image/heic", "image/heif", "image/webp"}),
    EvidenceKind.SIGNATURE: frozenset({"image/png"}),
    EvidenceKind.AUDIO: frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/mp4",
                                   "audio/x-m4a", "audio/m4a", "audio/aac", "audio/ogg", "audio/opus",
                                   "audio/webm", "audio/mpeg", "audio/mp3"}),
    EvidenceKind.VIDEO: frozenset({"video/mp4", "video/quicktime", "video/webm"}),
    EvidenceKind.DOCUMENT: frozenset({"application/pdf", "image/jpeg", "image/png", "application/json"}),
}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})  # the only types a browser is ever asked to show


STROKES_HEAD = b'{"height":'  # a signature's strokes: canonical JSON {"height","strokes","width"}, sorted keys
MAX_STROKES_BYTES = 2 * 1024 * 1024


def is_strokes_json(data: bytes) -> bool:
    """Whether the bytes are a signature's raw strokes and nothing else: a JSON object of exactly height,
    width (numbers) and strokes (lists of [t, x, y] numbers), the only JSON evidence there is."""
    import json

    if len(data) > MAX_STROKES_BYTES or not data.startswith(STROKES_HEAD):
        return False
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    number = (int, float)
    return (isinstance(body, dict) and set(body) == {"height", "strokes", "width"}
            and isinstance(body["height"], number) and isinstance(body["width"], number)
            and isinstance(body["strokes"], list)
            and all(isinstance(stroke, list) and all(isinstance(p, list) and len(p) == 3
                                                     and all(isinstance(v, number) for v in p) for p in stroke)
                    for stroke in body["strokes"]))


def sniff_head(head: bytes) -> str | None:
    """The canonical media type the leading bytes announce, or None if no allowed format."""
    if head.startswith(STROKES_HEAD):
        return "application/json"  # confirmed only by is_strokes_json over the whole file
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if _ebml_doctype(head) == b"webm" else None
    if head.startswith(b"OggS\x00"):
        return "audio/ogg"
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def declared_matches(kind: EvidenceKind, declared: str, sniffed: str | None) -> bool:
    """Whether a declared type is allowed for the kind and truthfully names what the bytes are."""
    declared = declared.split(";")[0].strip().lower()
    return declared in ALLOWED[kind] and sniffed is not None and declared in DECLARABLE.get(sniffed, ())


def _iso_media(head: bytes) -> str | None:
    """ISO base media (ftyp box): HEIF/HEIC, M4A, MP4 or QuickTime, by major then compatible brands."""
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major == b"avif" or (b"avif" in compatible and major not in HEIF_BRANDS):
        return None  # AVIF also lists mif1; not a format the tablet makes
    for brands, media in ((HEIF_BRANDS, "image/heic"), (M4A_BRANDS, "audio/mp4"),
                          ({b"qt  "}, "video/quicktime"), (MP4_BRANDS, "video/mp4")):
        if major in brands:
            return media
    for brands, media in ((HEIF_BRANDS, "image/heic"), (M4A_BRANDS, "audio/mp4"), (MP4_BRANDS, "video/mp4")):
        if compatible & brands:
            return media
    return None


def _ebml_doctype(head: bytes) -> bytes:
    """The DocType of an EBML header (webm, matroska), read from the first bytes."""
    at = head.find(b"\x42\x82")
    if at < 0 or at + 3 > len(head):
        return b""
    length = head[at + 2] & 0x7F if head[at + 2] & 0x80 else 0
    return head[at + 3:at + 3 + length]


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header (MP3 without ID3 tag): sync bits, a layer, a usable bitrate and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3
