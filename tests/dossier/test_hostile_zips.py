"""The verifier on hostile zips (issue 17): zip bombs, huge members, nested archives and path tricks end in
exit code 2 and one line, in bounded memory (the verifier runs under RLIMIT_AS of 512 MiB), never a traceback.

Once a 1.5 MB dossier declaring a 1.5 GiB member took ~3 GB; under a 1 GiB limit it died with MemoryError."""
from __future__ import annotations

import os
import resource
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from dossier_verify import safezip
from dossier_verify.dossier import verify
from dossier_verify.findings import Failure

REPO = Path(__file__).parents[2]
MiB = 1024 * 1024
BOMB = 1536 * MiB  # 1.5 GiB of zeros
MEMORY_CAP = 512 * MiB


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_verifier(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m dossier_verify` in a process that may map at most 512 MiB."""
    return subprocess.run([sys.executable, "-m", "dossier_verify", str(path), *extra], check=False, cwd=REPO,
                          capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory)


def assert_refused_in_one_line(result: subprocess.CompletedProcess[str], words: str) -> None:
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, lines
    assert words in lines[0], lines[0]


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes, and their CRC-32 (made 64 MiB at a time)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block, parts, crc = bytes(64 * MiB), [], 0
    for _ in range(size // len(block)):
        parts.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc


def zip_of_raw(path: Path, name: str, raw: bytes, crc: int, declared: int, method: int = 8) -> None:
    """A one-member zip written by hand, so its declared size may lie."""
    encoded = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(raw), declared, len(encoded), 0)
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(raw), declared,
                          len(encoded), 0, 0, 0, 0, 0, 0)
    with path.open("wb") as out:
        out.write(local + encoded + raw)
        start = out.tell()
        out.write(central + encoded)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded), start, 0))


@pytest.fixture(scope="module")
def bomb_stream() -> tuple[bytes, int]:
    return deflated_zeros(BOMB)


def test_a_zip_bomb_is_refused_before_it_is_inflated(bomb_stream, tmp_path):
    raw, crc = bomb_stream
    path = tmp_path / "bomb.zip"
    zip_of_raw(path, "evidence/photo/a.jpg", raw, crc, BOMB)
    assert path.stat().st_size < 2 * MiB
    assert_refused_in_one_line(run_verifier(path), "zip bomb")


def test_a_bomb_whose_header_lies_about_its_size_stops_at_the_declared_size(bomb_stream, tmp_path):
    raw, crc = bomb_stream
    path = tmp_path / "liar.zip"
    zip_of_raw(path, "manifest.json", raw, crc, 4096)  # says 4 KiB, inflates to 1.5 GiB
    assert_refused_in_one_line(run_verifier(path), "dossier refused")


def test_a_huge_structured_member_is_refused_and_a_huge_evidence_member_is_streamed(tmp_path):
    huge = 640 * MiB
    zeros_crc = 0
    block = bytes(64 * MiB)
    for _ in range(huge // len(block)):
        zeros_crc = zlib.crc32(block, zeros_crc)
    for name in ("manifest.json", "evidence/video/big.mp4"):
        path = tmp_path / f"huge-{name.replace('/', '_')}.zip"
        encoded = name.encode()
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, zeros_crc, huge, huge, len(encoded), 0)
        central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zeros_crc, huge, huge,
                              len(encoded), 0, 0, 0, 0, 0, 0)
        with path.open("wb") as out:
            out.write(local + encoded)
            out.truncate(out.tell() + huge)  # sparse: 640 MiB of zeros on no disk
            out.seek(0, 2)
            start = out.tell()
            out.write(central + encoded)
            out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded), start, 0))
        result = run_verifier(path)
        if name == "manifest.json":
            assert_refused_in_one_line(result, "too large for a structured file")
        else:  # read through in 1 MiB chunks under the 512 MiB cap: then found to lack its manifest
            assert_refused_in_one_line(result, "manifest.json: missing or malformed manifest")


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for info, data in members:
            z.writestr(info, data)
    return path


def inner_zip() -> bytes:
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", b"inside")
    return buffer.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(("members", "words"), [
    ([("evidence/photo/x.jpg", b"fine"), ("evidence/document/inner.pdf", inner_zip())], "nested archive (zip)"),
    ([("evidence/x.gz", b"\x1f\x8b\x08\x00" + bytes(20))], "nested archive (gzip)"),
    ([("/etc/passwd", b"root")], "absolute path"),
    ([("C:/windows/x", b"x")], "absolute path"),
    ([("records/../../evil.json", b"{}")], "path leaves its folder"),
    ([("records\\evil.json", b"{}")], "backslash"),
    ([(symlink("keys/link.json"), b"/etc/shadow")], "symbolic link"),
    ([("manifest.json", b"{}"), ("manifest.json", b"{}")], "duplicate member name"),
    ([("README.txt", b"a"), ("readme.TXT", b"b")], "duplicate member name"),
    ([("records/", b"")], "directory entry"),
])
def test_nested_archives_and_path_tricks_are_refused_with_one_line(members, words, tmp_path):
    with pytest.warns(UserWarning) if words == "duplicate member name" and members[0][0] == members[1][0] \
            else _no_warning():
        path = write_zip(tmp_path / "trick.zip", members)
    assert_refused_in_one_line(run_verifier(path), words)
    report = verify(path)
    assert report.exit_code == Failure.UNREADABLE and words in report.findings[0].what


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def test_overlapping_members_and_a_directory_of_millions_are_refused(tmp_path):
    """Fifield's non-recursive bomb: many directory entries pointing at one body (here stored, so no
    member's ratio gives it away)."""
    raw = os.urandom(512 * 1024)
    crc, size = zlib.crc32(raw), len(raw)
    name = b"evidence/a.bin"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, size, size, len(name), 0)
    central = b"".join(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size,
                                   len(name) + 2, 0, 0, 0, 0, 0, 0) + name + b"%02d" % i for i in range(40))
    path = tmp_path / "overlap.zip"
    start = len(local) + len(name) + len(raw)
    path.write_bytes(local + name + raw + central +
                     struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 40, 40, len(central), start, 0))
    assert_refused_in_one_line(run_verifier(path), "overlapping members")
    many = tmp_path / "many.zip"
    many.write_bytes(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 65535, 65535, 0, 0, 0))
    with pytest.raises(safezip.Refused, match="too many members"):
        safezip.read(many, safezip.Limits(max_members=1000))
