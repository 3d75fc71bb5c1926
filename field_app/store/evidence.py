"""Evidence files, encrypted at rest and addressed by the SHA-256 of their plaintext.

Each file is `root/xy/<name>.enc`, where `name` = HMAC-SHA256(name key, sha256): the file names do
not reveal the hashes (a hash would let someone confirm a known photo is on the tablet). The content
is AES-256-GCM in chunks with a key per file (see sealed_file.py); files are written and read as
streams, so a large video never sits in memory. Keys come from the `KeyVault`.

A file is written to a temporary name (`.tmp-<pid>-...` beside it), fsynced, then renamed into
place, so a killed app leaves either the whole file or nothing under the name. Temporary files of a
process that is gone are removed when the store is opened. A full disk is `StorageFull`, with the
temporary file removed. Putting the same bytes again is a no-op. Deleting a file first overwrites
its header, whose salt is needed to derive the file's key (crypto-shredding), then unlinks it.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from field_app.errors import StorageFull
from field_app.store import sealed_file
from field_app.store.full import is_disk_full
from field_app.store.vault import KeyVault, subkey

_SHA = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[0-9a-f]{64}\.enc$")
EVIDENCE_DIR = "evidence"
CHUNK = 1024 * 1024
TMP_PREFIX = ".tmp-"
CorruptEvidence = sealed_file.CorruptEvidence


def _check(sha: str) -> str:
    if not _SHA.match(sha):
        raise ValueError(f"not a sha256: {sha!r}")
    return sha


def sha256_file(path: Path) -> str:
    """SHA-256 of a (plain) file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _pieces(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for i in range(0, len(data), CHUNK):
        yield bytes(view[i:i + CHUNK])


class EvidenceStore:
    """Encrypted evidence files addressed by the SHA-256 of their plaintext."""

    def __init__(self, root: Path, vault: KeyVault) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._key = subkey(vault, "evidence")
        self._name_key = subkey(vault, "evidence-names")
        self.sweep_temporary()

    def sweep_temporary(self) -> list[Path]:
        """Delete temporary files left by a process that was killed mid-write; returns them.

        A temporary file of a process still running (this one included) is being written: kept."""
        gone = []
        for path in [*self.root.glob(f"{TMP_PREFIX}*"), *self.root.glob(f"??/{TMP_PREFIX}*")]:
            if _writer_alive(path.name):
                continue
            path.unlink(missing_ok=True)
            gone.append(path)
        return gone

    def path(self, sha: str) -> Path:
        """Where the encrypted file with this plaintext hash lives (whether or not it exists yet)."""
        name = hmac.new(self._name_key, _check(sha).encode("ascii"), hashlib.sha256).hexdigest()
        return self.root / name[:2] / f"{name}.enc"

    def has(self, sha: str) -> bool:
        """Whether the file is stored."""
        return self.path(sha).is_file()

    def chunks(self, sha: str, start: int = 0) -> Iterator[bytes]:
        """The plaintext from byte `start`, decrypted and authenticated chunk by chunk (read from 0,
        the whole hash is checked at the end: `CorruptEvidence` if it differs)."""
        with open(self.path(sha), "rb") as f:
            meta_sha, _size = sealed_file.read_meta(self._key, f)
            if meta_sha != sha:
                raise CorruptEvidence("the file is not the one named")
            f.seek(0)
            yield from sealed_file.decrypt_stream(self._key, f, start)

    def read(self, sha: str) -> bytes:
        """The whole plaintext, verified (FileNotFoundError if absent). For small files: photos, signatures."""
        return b"".join(self.chunks(sha))

    def size(self, sha: str) -> int:
        """Plaintext size in bytes of a stored file."""
        with open(self.path(sha), "rb") as f:
            return sealed_file.read_meta(self._key, f)[1]

    def verify(self, sha: str) -> bool:
        """Whether the stored file decrypts whole and its plaintext hashes to `sha`."""
        try:
            for _ in self.chunks(sha):
                pass
        except (OSError, CorruptEvidence):
            return False
        return True

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store bytes durably and encrypted; returns (sha256, size). Idempotent."""
        return self.put_stream(_pieces(data))

    def put_stream(self, pieces: Iterable[bytes]) -> tuple[str, int]:
        """Store a stream of plaintext pieces durably and encrypted; returns (sha256, size). Idempotent."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f"{TMP_PREFIX}{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as f:
                sha, size = sealed_file.encrypt_stream(self._key, pieces, f)
                f.flush()
                os.fsync(f.fileno())
            target = self.path(sha)
            if target.is_file() and self.verify(sha):
                Path(tmp).unlink()
                return sha, size
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except OSError as error:
            Path(tmp).unlink(missing_ok=True)
            if is_disk_full(error):
                raise StorageFull("文件未保存") from error
            raise
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha, size

    def _files(self) -> list[Path]:
        return [p for p in self.root.glob("??/*.enc") if _NAME.match(p.name)]

    def stored(self) -> set[str]:
        """Plaintext hashes of every stored file (read from each file's authenticated trailer)."""
        found = set()
        for path in self._files():
            try:
                with open(path, "rb") as f:
                    found.add(sealed_file.read_meta(self._key, f)[0])
            except (OSError, CorruptEvidence):
                continue
        return found

    def delete(self, sha: str) -> bool:
        """Shred one file (its key salt overwritten, then unlinked); whether it existed."""
        return shred(self.path(sha), header_only=True)

    def prune(self, keep: Iterable[str], min_age_s: float = 600.0) -> list[str]:
        """Delete stored files whose hash is not in `keep`; returns the deleted hashes.

        Callers pass every hash a draft or an unsynced record references (see `prune_evidence`),
        so those files are never deleted. Files younger than `min_age_s` are spared too: a photo
        is written a moment before the draft that references it is saved.
        """
        keep_set, now, gone = set(keep), time.time(), []
        for sha in sorted(self.stored() - keep_set):
            try:
                if now - self.path(sha).stat().st_mtime >= min_age_s and self.delete(sha):
                    gone.append(sha)
            except FileNotFoundError:
                continue
        return gone


def shred(path: Path, header_only: bool = False) -> bool:
    """Overwrite a file with zeros (its first 4 KiB if `header_only`), fsync, unlink; whether it existed.
    On flash storage an overwrite is best effort: the encryption is what protects the bytes."""
    try:
        with open(path, "r+b") as f:
            length = min(4096, os.fstat(f.fileno()).st_size) if header_only else os.fstat(f.fileno()).st_size
            done = 0
            while done < length:
                done += f.write(bytes(min(CHUNK, length - done)))
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _writer_alive(name: str) -> bool:
    """Whether the process named in a temporary file's name (`.tmp-<pid>-...`) still runs."""
    pid = name[len(TMP_PREFIX):].split("-", 1)[0]
    if not pid.isdigit():
        return False  # an older name without a pid: its writer is long gone
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
