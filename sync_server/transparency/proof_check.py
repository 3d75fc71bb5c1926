"""Checking a consistency proof on the server side (RFC 9162 §2.1.4.2), so the server can test the log in
its database against the checkpoints it signed before. `dossier_verify.merkle` holds the same algorithm for
the offline verifier, which imports nothing of the server (and the server nothing of it)."""
from __future__ import annotations

from collections.abc import Sequence

from sync_server.transparency.merkle import node_hash


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
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
