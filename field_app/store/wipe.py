"""Wiping the tablet (issue 18, "设备丢失"): nothing readable may remain of its data.

Two layers, so that what one misses the other covers: the vault's keys are destroyed (the database and
every evidence file are encrypted with keys derived from the data key, so without it they are noise), and
every file of the data folder is overwritten with zeros, flushed, and unlinked. On flash storage an
overwrite may land elsewhere (wear levelling), which is why the keys going is what counts."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

_BLOCK = 1024 * 1024


def shred_file(path: Path) -> None:
    """Overwrite a file with zeros to its length, flush it to disk, and unlink it."""
    try:
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        path.unlink(missing_ok=True)
        return
    try:
        zeros = bytes(min(size, _BLOCK))
        left = size
        while left > 0:
            left -= os.write(fd, zeros[:min(left, _BLOCK)])
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)


def shred_tree(root: Path) -> int:
    """Shred every file under `root` and remove its sub-folders; `root` itself stays, empty. The number
    of files shredded."""
    root = Path(root)
    if not root.is_dir():
        return 0
    count = 0
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                path.unlink(missing_ok=True)
                continue
            shred_file(path)
            count += 1
    for child in root.iterdir():
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() and not child.is_symlink() \
            else child.unlink(missing_ok=True)
    return count
