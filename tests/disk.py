"""A real, tiny filesystem that can be filled to the last byte: a tmpfs mounted for one test.

Mounting needs root (or CAP_SYS_ADMIN); where that is impossible the test fails with the
reason, never faked. `fill()` writes a filler file until the kernel answers ENOSPC; `free()`
deletes it again, as a surveyor or an operator clearing space would.
"""
from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = ".filler"


class TinyDisk:
    """A mounted tmpfs of a few MiB at `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def free_bytes(self) -> int:
        """Bytes an unprivileged write could still use."""
        st = os.statvfs(self.root)
        return st.f_bavail * st.f_frsize

    def fill(self) -> int:
        """Write a filler file until the disk is full (ENOSPC); returns the bytes written."""
        written = 0
        fd = os.open(self.root / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 16, 1 << 12, 1):
                while True:
                    try:
                        written += os.write(fd, b"\0" * size)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        assert self.free_bytes() == 0
        return written

    def leave(self, n: int) -> None:
        """Fill the disk, then give back `n` bytes, rounded up to whole pages."""
        self.fill()
        filler, page = self.root / FILLER, os.statvfs(self.root).f_frsize
        os.truncate(filler, filler.stat().st_size - -(-n // page) * page)

    def free(self) -> None:
        """Delete the filler file: the space is back."""
        (self.root / FILLER).unlink(missing_ok=True)


@contextmanager
def tiny_disk(root: Path, size: str = "2m") -> Iterator[TinyDisk]:
    """Mount a tmpfs of `size` at `root` for the block; unmounted afterwards, whatever happened."""
    root.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(root)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here (needs root, as in CI): {mounted.stderr.strip()}")
    try:
        yield TinyDisk(root)
    finally:
        if subprocess.run(["umount", str(root)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(root)], capture_output=True, check=False)  # leaked handle
