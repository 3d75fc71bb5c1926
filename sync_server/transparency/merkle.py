"""Merkle tree hashes and proofs as RFC 9162 §2.1 defines them (server side: building proofs).

leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right); the tree over n leaves
splits at k, the largest power of two smaller than n. The standalone `dossier_verify.merkle` checks
these proofs without importing this module.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


class Proofs:
    """RFC 9162 roots and proofs over a tree of `size` leaves, read from the hashes of its full subtrees:
    `full(level, number)` is the node covering leaves number·2^level to (number+1)·2^level − 1 (level 0:
    the leaf hashes). Any other subtree the RFC's recursion visits is composed of O(log n) of them, so a
    root or a proof costs O(log n) nodes, wherever they are kept (in memory: `Tree`; in the database:
    audit.log_proofs)."""

    def __init__(self, size: int, full: Callable[[int, int], bytes]) -> None:
        self.size, self.full = size, full

    def root_of(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) (0 <= start < end <= size)."""
        size = end - start
        if size & (size - 1) == 0 and start % size == 0:
            return self.full(size.bit_length() - 1, start // size)
        k = _split(size)
        return node_hash(self.root_of(start, start + k), self.root_of(start + k, end))

    def root(self) -> bytes:
        """MTH(D[n])."""
        return self.root_of(0, self.size) if self.size else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        """PATH(index, D[n]): the audit path of leaf `index`."""
        if not 0 <= index < self.size:
            raise ValueError(f"leaf {index} not in a tree of {self.size}")
        return self._path(index, 0, self.size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        if end - start == 1:
            return []
        k = _split(end - start)
        if m < k:
            return self._path(m, start, start + k) + [self.root_of(start + k, end)]
        return self._path(m - k, start + k, end) + [self.root_of(start, start + k)]

    def consistency_proof(self, first: int) -> list[bytes]:
        """PROOF(first, D[n]): shows the tree of `first` leaves is a prefix of this one."""
        if not 0 < first <= self.size:
            raise ValueError(f"no consistency proof from {first} to {self.size}")
        return self._subproof(first, 0, self.size, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        if m == end - start:
            return [] if whole else [self.root_of(start, end)]
        k = _split(end - start)
        if m <= k:
            return self._subproof(m, start, start + k, whole) + [self.root_of(start + k, end)]
        return self._subproof(m - k, start + k, end, False) + [self.root_of(start, start + k)]


class Tree(Proofs):
    """`Proofs` over leaf hashes held in memory: every full subtree hashed once, level by level (O(n))."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
        super().__init__(len(leaves), lambda level, number: self.levels[level][number])


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (not entries)."""
    return Tree(leaves).root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` in the tree over `leaves`."""
    return Tree(leaves).inclusion_proof(index)


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of `first` leaves is a prefix of the tree over `leaves`."""
    return Tree(leaves).consistency_proof(first)
