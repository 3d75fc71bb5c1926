"""Evidence files: addressed by the SHA-256 of their plaintext (R10 authentic; R20 verifiable by
hash), encrypted at rest in authenticated chunks (R21, MASVS-STORAGE-1, MASVS-CRYPTO-1)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from field_app.store import EvidenceStore
from field_app.store.evidence import CorruptEvidence
from field_app.store.sealed_file import CHUNK, TAG
from tests.field_app.helpers import photo, vault_for


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence", vault_for(tmp_path / "tablet"))


def test_put_stores_the_bytes_encrypted_under_a_name_that_hides_the_sha256_and_is_idempotent_r21(store):
    data = photo()
    sha, size = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest() and size == len(data)
    on_disk = store.path(sha).read_bytes()
    assert sha not in store.path(sha).name and data[1000:1064] not in on_disk and data[:4] not in on_disk
    assert store.read(sha) == data and store.has(sha) and store.verify(sha) and store.size(sha) == len(data)
    mtime = store.path(sha).stat().st_mtime_ns
    assert store.put_bytes(data) == (sha, size)
    assert store.path(sha).stat().st_mtime_ns == mtime  # not rewritten
    assert [p.name for p in store.path(sha).parent.iterdir()] == [store.path(sha).name]
    assert [p.name for p in store.root.iterdir() if p.is_file()] == []  # no temporary files left


def test_the_same_photo_encrypts_differently_on_another_tablet_r21(store, tmp_path):
    other = EvidenceStore(tmp_path / "other", vault_for(tmp_path / "other-tablet"))
    sha, _ = store.put_bytes(photo())
    assert other.put_bytes(photo())[0] == sha
    assert other.path(sha).name != store.path(sha).name
    assert other.path(sha).read_bytes()[40:200] != store.path(sha).read_bytes()[40:200]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_streamed_files_of_any_size_read_back_whole_and_from_any_offset_r10(store, size):
    data = os.urandom(size)
    sha, stored = store.put_stream(data[i:i + 1000] for i in range(0, max(size, 1), 1000))
    assert (sha, stored) == (hashlib.sha256(data).hexdigest(), size) and store.size(sha) == size
    assert b"".join(store.chunks(sha)) == data
    for start in {0, 1, CHUNK - 1, CHUNK, size // 2, size}:
        assert b"".join(store.chunks(sha, start)) == data[start:]


def test_verify_notices_a_file_changed_on_disk(store):
    sha, _ = store.put_bytes(b"original evidence bytes")
    damaged = bytearray(store.path(sha).read_bytes())
    damaged[45] ^= 1
    store.path(sha).write_bytes(bytes(damaged))
    assert store.has(sha) and not store.verify(sha)
    with pytest.raises(CorruptEvidence):
        store.read(sha)


def test_a_truncated_or_swapped_file_does_not_read_back_r10(store):
    big, _ = store.put_bytes(os.urandom(2 * CHUNK + 5))
    small, _ = store.put_bytes(b"another photo")
    whole = store.path(big).read_bytes()
    store.path(big).write_bytes(whole[:40 + CHUNK + TAG] + whole[-56:])  # a chunk dropped, trailer kept
    assert not store.verify(big)
    store.path(big).write_bytes(store.path(small).read_bytes())  # another file put under this name
    assert not store.verify(big)


def test_prune_never_deletes_files_still_referenced(store):
    kept, _ = store.put_bytes(b"referenced by a draft")
    gone, _ = store.put_bytes(b"referenced by nothing")
    assert store.stored() == {kept, gone}
    assert store.prune({kept}, min_age_s=0) == [gone]
    assert store.has(kept) and not store.has(gone)


def test_prune_spares_a_file_written_moments_ago(store):
    fresh, _ = store.put_bytes(b"a photo whose draft is being saved right now")
    assert store.prune(set()) == [] and store.has(fresh)


def _finished_process_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_opening_removes_temporary_files_of_a_killed_writer_but_not_of_a_running_one_r10(store, tmp_path):
    sha, _ = store.put_bytes(b"a finished photo")
    folder = store.root
    dead = folder / f".tmp-{_finished_process_pid()}-abc"
    old_style = store.path(sha).parent / ".tmp-k2j4h5"
    ours = folder / f".tmp-{os.getpid()}-def"  # another EvidenceStore of this process is writing it
    for leftover in (dead, old_style, ours):
        leftover.write_bytes(b"half a pho")

    reopened = EvidenceStore(store.root, vault_for(tmp_path / "tablet"))
    assert not dead.exists() and not old_style.exists() and ours.exists()
    assert reopened.stored() == {sha} and reopened.verify(sha)
