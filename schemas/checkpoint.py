"""The agency log's checkpoints as C2SP signed notes (`tlog-checkpoint`), so standard witness and verifier
tooling (sigsum, omniwitness, golang.org/x/mod/sumdb/note) can check the agency's log without our code. In
the contract because both sides use it: the server signs checkpoints, the tablet witnesses them (it keeps
the newest it verified and checks each new one's consistency proof from it, RFC 9162 §2.1.4.2).

A checkpoint's text is three lines: the origin (a name for this log), the tree size in decimal, the root
hash in standard base64; each line ends in a newline. The signed note is that text, a blank line, then one
signature line per signer: "— <key name> <base64(key hash (4 bytes) || Ed25519 signature over the text)>",
the key hash being the first 4 bytes of SHA-256(<key name> || "\\n" || 0x01 || public key) (the signed-note
spec, algorithm 0x01 = Ed25519). The agency's key name is the log's origin. The verifier key in the
spec's `vkey` form is `<name>+<hex key hash>+<base64(0x01 || public key)>`.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DASH = "\u2014"  # the em dash that starts a signature line
ED25519 = b"\x01"


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def consistency_holds(first: int, second: int, first_root: bytes, second_root: bytes,
                      proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree of `first` leaves (root `first_root`) is a prefix of the tree of
    `second` leaves (root `second_root`)."""
    if first < 1 or second < first:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: its root is the first node of the path
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def origin_of(key_id: str) -> str:
    """The default origin of the agency's log: fixed by its key, so it never changes under a running log."""
    return f"field-evidence/agency-log/{key_id}"


def key_hash(name: str, public_raw: bytes) -> bytes:
    """The 4-byte key hash of an Ed25519 signer named `name`."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_raw).digest()[:4]


def vkey(name: str, public_raw: bytes) -> str:
    """The verifier key line standard tooling takes (`note.NewVerifier`)."""
    return f"{name}+{key_hash(name, public_raw).hex()}+{base64.b64encode(ED25519 + public_raw).decode('ascii')}"


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    """The signed text of a checkpoint."""
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def signature_line(name: str, public_raw: bytes, text: str, sign: Callable[[bytes], bytes]) -> str:
    """One signature line over `text` (without its newline)."""
    blob = key_hash(name, public_raw) + sign(text.encode("utf-8"))
    return f"{DASH} {name} {base64.b64encode(blob).decode('ascii')}"


def signed_note(text: str, lines: list[str]) -> str:
    """The whole note: text, blank line, signature lines."""
    return text + "\n" + "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read back from a signed note whose signature by the given key holds."""

    origin: str
    size: int
    root: bytes
    text: str
    note: str


def parse(note: str, public_raw: bytes, name: str | None = None) -> Checkpoint:
    """The checkpoint in `note`, signed by this Ed25519 key (under `name`, by default the note's origin);
    raises ValueError saying why not. Signatures by other keys are allowed (witness cosignatures)."""
    text, sep, signatures = note.partition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise ValueError("not a signed note (no blank line before the signatures)")
    text += "\n"
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not lines[0] or not lines[1].isdigit() or (len(lines[1]) > 1 and lines[1][0] == "0"):
        raise ValueError("not a checkpoint (origin, tree size, root hash)")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise ValueError("root hash is not 32 bytes")
    signer = name or lines[0]
    wanted = key_hash(signer, public_raw)
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise ValueError(f"malformed signature line {line[:40]!r}")
        blob = base64.b64decode(parts[2], validate=True)
        if parts[1] == signer and blob[:4] == wanted:
            try:
                Ed25519PublicKey.from_public_bytes(public_raw).verify(blob[4:], text.encode("utf-8"))
            except InvalidSignature:
                raise ValueError("the agency's signature on the checkpoint does not hold") from None
            return Checkpoint(lines[0], int(lines[1]), root, text, note)
    raise ValueError(f"no signature by {signer} on the checkpoint")
