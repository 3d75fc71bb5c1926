"""Reading a dossier zip that may be hostile, in bounded memory (issue 17).

A dossier comes from outside: it may be a zip bomb (a 1.5 MB file declaring a 1.5 GiB member once took
3 GB to check), hold overlapping members, archives inside it, or names meant to escape a folder when
unpacked. Before a byte is inflated, the end record and every central-directory entry are checked
against caps (members, sizes, compression ratio, overlaps, names, symlinks, encryption, methods); then
each member is streamed once in zip order in 1 MiB chunks: hashed, counted against its declared size,
its first bytes checked for an archive signature. Only the small structured members the checks read
(JSON, signature, index, README) are kept in memory, each and all together capped. Anything refused
raises `Refused` with a one-line reason; the verifier exits 2.
"""
from __future__ import annotations

import hashlib
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK = MiB
KEPT_SUFFIXES = (".json", ".sig", ".html", ".txt")  # what the checks parse; everything else is only hashed
EOCD = b"PK\x05\x06"
EOCD64_LOCATOR = b"PK\x06\x07"
LOCAL_HEADER = 30  # fixed part of a local file header
ARCHIVE_MAGIC = ((0, b"PK\x03\x04", "zip"), (0, b"PK\x05\x06", "zip"), (0, b"PK\x07\x08", "zip"),
                 (0, b"\x1f\x8b", "gzip"), (0, b"BZh", "bzip2"), (0, b"\xfd7zXZ\x00", "xz"),
                 (0, b"7z\xbc\xaf\x27\x1c", "7z"), (0, b"Rar!\x1a\x07", "rar"), (0, b"\x28\xb5\x2f\xfd", "zstd"),
                 (0, b"\x04\x22\x4d\x18", "lz4"), (0, b"MSCF", "cab"), (257, b"ustar", "tar"))


class Refused(Exception):
    """The zip is not read: one line saying why."""


@dataclass(frozen=True)
class Limits:
    """Caps on what a dossier may be; the defaults fit a case with hours of video."""

    max_members: int = 100_000
    max_member_size: int = 16 * GiB
    max_total_size: int = 256 * GiB
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = MiB
    max_kept_member: int = 32 * MiB
    max_kept_total: int = 256 * MiB


DEFAULT = Limits()


@dataclass
class Archive:
    """What a zip holds: names in zip order, SHA-256 and size of every member, the small members' bytes."""

    names: list[str] = field(default_factory=list)
    digests: dict[str, tuple[str, int]] = field(default_factory=dict)
    kept: dict[str, bytes] = field(default_factory=dict)


def read(source: Path | BinaryIO, limits: Limits = DEFAULT) -> Archive:
    """Check and stream the whole zip; raises `Refused` (one line) on anything unsafe or unreadable."""
    try:
        if isinstance(source, (str, Path)):
            with open(source, "rb") as handle:
                return _read(handle, limits)
        return _read(source, limits)
    except Refused:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
            ValueError, KeyError, struct.error) as error:
        raise Refused(f"cannot read zip: {type(error).__name__}: {_one_line(str(error))}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _read(handle: BinaryIO, limits: Limits) -> Archive:
    handle.seek(0, 2)
    archive_size = handle.tell()
    cd_start = _precheck_end(handle, archive_size, limits)
    handle.seek(0)
    with zipfile.ZipFile(handle) as z:
        infos = z.infolist()
        _check_entries(infos, archive_size, cd_start, limits)
        out = Archive()
        kept_total = 0
        for info in infos:
            keep = info.filename.endswith(KEPT_SUFFIXES)
            if keep:
                kept_total += info.file_size
                if info.file_size > limits.max_kept_member or kept_total > limits.max_kept_total:
                    raise Refused(f"member {info.filename!r} is too large for a structured file "
                                  f"({info.file_size} bytes)")
            sha, size, data = _stream(z, info, keep)
            out.names.append(info.filename)
            out.digests[info.filename] = (sha, size)
            if data is not None:
                out.kept[info.filename] = data
        return out


def _precheck_end(handle: BinaryIO, archive_size: int, limits: Limits) -> int:
    """Read the end of central directory (and its zip64 form) before zipfile parses the directory, so a
    directory of millions of entries is refused before it is loaded; returns where the directory starts."""
    tail = min(archive_size, 22 + 65535)
    handle.seek(archive_size - tail)
    data = handle.read(tail)
    at = data.rfind(EOCD)
    if at < 0 or len(data) - at < 22:
        raise Refused("not a zip file (no end of central directory)")
    _, _, _, _, entries, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", data[at:at + 22])
    locator = at - 20
    if locator >= 0 and data[locator:locator + 4] == EOCD64_LOCATOR:
        (eocd64,) = struct.unpack("<Q", data[locator + 8:locator + 16])
        if eocd64 + 56 > archive_size:
            raise Refused("zip64 end record points outside the file")
        handle.seek(eocd64)
        record = handle.read(56)
        if record[:4] != b"PK\x06\x06":
            raise Refused("zip64 end record is damaged")
        entries, cd_size, cd_offset = struct.unpack("<QQQ", record[32:56])
    if entries > limits.max_members:
        raise Refused(f"too many members: {entries} (at most {limits.max_members})")
    if cd_size > archive_size or cd_offset > archive_size:
        raise Refused("central directory larger than the file")
    return int(cd_offset)


def _check_name(name: str, seen: set[str]) -> None:
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise Refused(f"absolute path in the zip: {name!r}")
    if "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise Refused(f"backslash or control character in a member name: {name!r}")
    parts = name.split("/")
    if any(p in ("..", ".") for p in parts):
        raise Refused(f"path leaves its folder: {name!r}")
    if name.endswith("/") or any(p == "" for p in parts):
        raise Refused(f"directory entry or empty path component: {name!r}")
    folded = name.casefold()
    if folded in seen:
        raise Refused(f"duplicate member name: {name!r}")
    seen.add(folded)


def _check_entries(infos: list[zipfile.ZipInfo], archive_size: int, cd_start: int, limits: Limits) -> None:
    """Every entry judged from the directory alone, before anything is inflated."""
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name, seen)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Refused(f"symbolic link in the zip: {name!r}")
        if info.flag_bits & 0x1:
            raise Refused(f"encrypted member: {name!r}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"unsupported compression method {info.compress_type} for {name!r}")
        if info.file_size > limits.max_member_size:
            raise Refused(f"member {name!r} declares {info.file_size} bytes (at most {limits.max_member_size})")
        if info.file_size > limits.ratio_floor and info.file_size > max(info.compress_size, 1) * limits.max_ratio:
            raise Refused(f"zip bomb: member {name!r} expands {info.compress_size} to {info.file_size} bytes")
        total += info.file_size
    if total > limits.max_total_size or total > max(limits.ratio_floor * 64, archive_size * limits.max_ratio):
        raise Refused(f"zip bomb: {total} bytes declared in a {archive_size}-byte file")
    spans = sorted((i.header_offset, i.header_offset + LOCAL_HEADER + len(i.filename.encode("utf-8"))
                    + i.compress_size, i.filename) for i in infos)
    for (start, end, name), following in zip(spans, spans[1:] + [(cd_start, cd_start, "(central directory)")],
                                             strict=True):
        if end > following[0]:
            raise Refused(f"overlapping members: {name!r} and {following[2]!r}")
        if start < 0:
            raise Refused(f"member {name!r} starts before the file")


def _nested(head: bytes) -> str | None:
    for offset, magic, kind in ARCHIVE_MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return kind
    return None


def _stream(z: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> tuple[str, int, bytes | None]:
    """One member read once: its SHA-256 and size, and its bytes if kept; never more than declared."""
    digest, size, parts = hashlib.sha256(), 0, []
    with z.open(info) as member:
        while chunk := member.read(CHUNK):
            if size == 0:
                kind = _nested(chunk)
                if kind is not None:
                    raise Refused(f"nested archive ({kind}) in member {info.filename!r}")
            size += len(chunk)
            if size > info.file_size:
                raise Refused(f"member {info.filename!r} inflates beyond its declared {info.file_size} bytes")
            digest.update(chunk)
            if keep:
                parts.append(chunk)
    return digest.hexdigest(), size, b"".join(parts) if keep else None
