"""Content-addressed evidence files (R10 authentic; R20 verifiable by hash)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from field_app.store import EvidenceStore
from tests.field_app.helpers import photo


def test_put_stores_the_bytes_under_their_sha256_and_is_idempotent(tmp_path):
    store = EvidenceStore(tmp_path / "evidence")
    data = photo()
    sha, size = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest() and size == len(data)
    assert store.path(sha) == tmp_path / "evidence" / sha[:2] / sha
    assert store.read(sha) == data and store.has(sha) and store.verify(sha)
    mtime = store.path(sha).stat().st_mtime_ns
    assert store.put_bytes(data) == (sha, size)
    assert store.path(sha).stat().st_mtime_ns == mtime  # not rewritten
    assert [p.name for p in store.path(sha).parent.iterdir()] == [sha]  # no temporary files left


def test_verify_notices_a_file_changed_on_disk(tmp_path):
    store = EvidenceStore(tmp_path)
    sha, _ = store.put_bytes(b"original evidence bytes")
    store.path(sha).write_bytes(b"edited evidence bytes!!")
    assert store.has(sha) and not store.verify(sha)


def test_prune_never_deletes_files_still_referenced(tmp_path):
    store = EvidenceStore(tmp_path)
    kept, _ = store.put_bytes(b"referenced by a draft")
    gone, _ = store.put_bytes(b"referenced by nothing")
    assert store.prune({kept}, min_age_s=0) == [gone]
    assert store.has(kept) and not store.has(gone)


def test_prune_spares_a_file_written_moments_ago(tmp_path):
    store = EvidenceStore(tmp_path)
    fresh, _ = store.put_bytes(b"a photo whose draft is being saved right now")
    assert store.prune(set()) == [] and store.has(fresh)



def _finished_process_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_opening_removes_temporary_files_of_a_killed_writer_but_not_of_a_running_one_r10(tmp_path):
    store = EvidenceStore(tmp_path)
    sha, _ = store.put_bytes(b"a finished photo")
    folder = store.path(sha).parent
    dead = folder / f".tmp-{_finished_process_pid()}-abc"
    old_style = folder / ".tmp-k2j4h5"
    ours = folder / f".tmp-{os.getpid()}-def"  # another EvidenceStore of this process is writing it
    for leftover in (dead, old_style, ours):
        leftover.write_bytes(b"half a pho")

    reopened = EvidenceStore(tmp_path)
    assert not dead.exists() and not old_style.exists() and ours.exists()
    assert reopened.stored() == {sha} and reopened.verify(sha)
