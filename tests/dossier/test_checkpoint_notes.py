"""Checkpoints as C2SP signed notes (issue 17): byte for byte what the reference implementation
(golang.org/x/mod/sumdb/note) makes from its documented example key, so standard witness and verifier
tooling reads the agency's checkpoints; the standalone verifier reads them and the first format's JSON
checkpoints of older dossiers; a changed size or root, or another key, is refused."""
from __future__ import annotations

import base64
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_verify.checkpoints import (
    CHECKPOINT_CONTEXT,
    Head,
    consistent_with,
    note_key_hash,
    read_checkpoint,
)
from schemas import checkpoint
from schemas.seal import key_id, public_key_bytes
from sync_server.transparency import merkle

# The example of golang.org/x/mod/sumdb/note's documentation (data only).
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNATURE = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="


def test_key_hash_verifier_key_and_signature_line_equal_the_reference_implementations():
    seed = base64.b64decode(SKEY.split("+c74f20a3+", 1)[1])[1:]
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = public_key_bytes(private.public_key())
    assert checkpoint.vkey("PeterNeumann", public) == VKEY
    assert note_key_hash("PeterNeumann", public).hex() == "c74f20a3"
    assert checkpoint.signature_line("PeterNeumann", public, TEXT, private.sign) == SIGNATURE
    assert checkpoint.signed_note(TEXT, [SIGNATURE]) == TEXT + "\n" + SIGNATURE + "\n"


def _signed(private: Ed25519PrivateKey, size: int, root: bytes) -> str:
    public = public_key_bytes(private.public_key())
    origin = checkpoint.origin_of(key_id(public))
    text = checkpoint.checkpoint_text(origin, size, root)
    return checkpoint.signed_note(text, [checkpoint.signature_line(origin, public, text, private.sign)])


def test_a_checkpoint_note_reads_back_on_both_sides_and_any_change_is_refused():
    private, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    public = public_key_bytes(private.public_key())
    root = merkle.root([merkle.leaf_hash(b"entry %d" % i) for i in range(5)])
    note = _signed(private, 5, root)
    origin, size, root_b64 = note.split("\n")[:3]
    assert (size, base64.b64decode(root_b64)) == ("5", root) and origin.startswith("field-evidence/agency-log/")
    assert checkpoint.parse(note, public).root == root
    assert read_checkpoint(note.encode(), public) == Head(5, root)
    cosigned = note + f"— witness.example/w1 {base64.b64encode(bytes(68)).decode()}\n"
    assert read_checkpoint(cosigned.encode(), public) == Head(5, root)  # a witness's cosignature is allowed
    for forged in (note.replace("\n5\n", "\n6\n", 1), _signed(other, 5, root),
                   note.replace(root_b64, base64.b64encode(bytes(32)).decode())):
        with pytest.raises(ValueError):
            checkpoint.parse(forged, public)
        with pytest.raises(ValueError):
            read_checkpoint(forged.encode(), public)


def test_a_first_format_checkpoint_of_an_older_dossier_is_still_read():
    private = Ed25519PrivateKey.generate()
    public = public_key_bytes(private.public_key())
    root = bytes(range(32))
    body = rfc8785.dumps({"tree_size": 9, "root": root.hex(), "time": "2026-11-17T02:00:00Z",
                          "key_id": key_id(public)}).decode()
    held = {"body": body, "signature": base64.b64encode(private.sign(CHECKPOINT_CONTEXT + body.encode())).decode()}
    assert read_checkpoint(json.dumps(held).encode(), public) == Head(9, root)
    held["body"] = body.replace('"tree_size":9', '"tree_size":8')
    with pytest.raises(ValueError):
        read_checkpoint(json.dumps(held).encode(), public)


def test_a_kept_checkpoint_is_consistent_only_with_a_log_that_extends_it():
    leaves = [merkle.leaf_hash(b"entry %d" % i) for i in range(20)]
    tree = merkle.Tree(leaves)
    latest = Head(20, tree.root())
    earlier = [{"size": n, "root": merkle.root(leaves[:n]).hex(),
                "proof": [h.hex() for h in tree.consistency_proof(n)]} for n in (3, 8, 13)]
    assert consistent_with(Head(8, merkle.root(leaves[:8])), latest, earlier) is None
    assert consistent_with(Head(20, tree.root()), latest, earlier) is None
    assert consistent_with(Head(21, bytes(32)), latest, earlier) == ""  # newer than the dossier: a note
    rewritten = merkle.root(leaves[:7] + [merkle.leaf_hash(b"rewritten")])
    assert "another root" in (consistent_with(Head(8, rewritten), latest, earlier) or "")
    assert "no checkpoint of size 9" in (consistent_with(Head(9, merkle.root(leaves[:9])), latest, earlier) or "")
    assert "rewritten" in (consistent_with(Head(20, rewritten), latest, earlier) or "")
    broken = [dict(earlier[1], proof=earlier[0]["proof"])]
    assert "does not hold" in (consistent_with(Head(8, merkle.root(leaves[:8])), latest, broken) or "")
