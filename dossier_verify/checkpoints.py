"""Checkpoints of the agency's log (docs/DOSSIER.md "Checkpoints"): C2SP signed notes (`tlog-checkpoint`),
or the first format's `{body, signature}` JSON, and checking a dossier's log against checkpoints kept
from earlier dossiers or tablets (`--checkpoint FILE`).

A checkpoint kept from elsewhere, of size s and root r, is consistent with the dossier's latest checkpoint
(size n) when s == n and the roots are equal, or s < n and the dossier lists a checkpoint of size s with
root r whose consistency proof to the latest holds (the server puts every checkpoint it signed below n in
`log/proofs.json` → `earlier`). A checkpoint newer than the dossier cannot be checked by it (check the
newer dossier against this one's checkpoint instead): it is noted, not failed.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from dossier_verify import merkle
from dossier_verify.seals import key_id, verify_signature

CHECKPOINT_CONTEXT = b"field-evidence/checkpoint/v1\n"
DASH = "\u2014"


@dataclass(frozen=True)
class Head:
    """A checkpoint whose agency signature holds."""

    size: int
    root: bytes


def note_key_hash(name: str, public_raw: bytes) -> bytes:
    """The signed-note key hash: SHA-256(name || "\\n" || 0x01 || public key)[:4] (Ed25519)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n\x01" + public_raw).digest()[:4]


def _from_note(text: str, agency: bytes) -> Head:
    body, sep, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3 or not lines[1].isdigit() or not signatures.endswith("\n"):
        raise ValueError("not a tlog-checkpoint signed note")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    signed = (body + "\n").encode("utf-8")
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise ValueError("malformed signature line")
        blob = base64.b64decode(parts[2], validate=True)
        if parts[1] == origin and blob[:4] == note_key_hash(origin, agency):
            if not verify_signature(agency, base64.b64encode(blob[4:]).decode("ascii"), signed):
                raise ValueError("checkpoint signature does not hold for the agency key")
            if len(root) != 32:
                raise ValueError("root hash is not 32 bytes")
            return Head(size, root)
    raise ValueError("checkpoint not signed by the agency key")


def _from_json(data: Any, agency: bytes) -> Head:
    body = data["body"]
    head = json.loads(body)
    if head.get("key_id") != key_id(agency) or not verify_signature(
            agency, data.get("signature", ""), CHECKPOINT_CONTEXT + body.encode("utf-8")):
        raise ValueError("checkpoint signature does not hold for the agency key")
    return Head(int(head["tree_size"]), bytes.fromhex(head["root"]))


def read_checkpoint(raw: bytes, agency: bytes) -> Head:
    """The checkpoint in `raw` (a signed note, or the first format's JSON), signed by the agency key;
    raises ValueError (or KeyError, TypeError) saying why not."""
    text = raw.decode("utf-8")
    if text.lstrip().startswith("{"):
        return _from_json(json.loads(text), agency)
    return _from_note(text.replace("\r\n", "\n"), agency)


def consistent_with(kept: Head, latest: Head, earlier: Any) -> str | None:
    """None if the kept checkpoint is consistent with the dossier's latest, else why not ("" : cannot tell,
    the kept one is newer)."""
    if kept.size > latest.size:
        return ""
    if kept.size == latest.size:
        return None if kept.root == latest.root else "same tree size, different root: the log was rewritten"
    listed = [e for e in earlier or [] if isinstance(e, dict) and e.get("size") == kept.size]
    if not listed:
        return (f"the dossier's log has no checkpoint of size {kept.size}: "
                "entries were removed or the log was rewritten (or the dossier omits it)")
    try:
        entry = listed[0]
        root, proof = bytes.fromhex(entry["root"]), [bytes.fromhex(h) for h in entry["proof"]]
    except (KeyError, ValueError, TypeError):
        return f"the dossier's proof from size {kept.size} is unreadable"
    if root != kept.root:
        return f"the dossier's log had another root at size {kept.size}: the log was rewritten"
    if not merkle.consistency_holds(kept.size, latest.size, kept.root, latest.root, proof):
        return f"the consistency proof from size {kept.size} to {latest.size} does not hold"
    return None
