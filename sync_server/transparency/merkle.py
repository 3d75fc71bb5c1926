"""Merkle tree hashes and proofs as RFC 9162 §2.1 defines them (server side: building proofs).

leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right); the tree over n leaves
splits at k, the largest power of two smaller than n. The standalone `dossier_verify.merkle` checks
these proofs without importing this module.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

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


class Tree:
    """The tree over some leaf hashes with every node kept, level by level (a level's odd last node moves up
    unchanged: the same tree as the RFC's split at the largest power of two). Built once in O(n) hashes;
    then every root, inclusion proof and consistency proof is O(log n), not O(n) as recomputing each
    subtree from the leaves would be (an export proves each of its records: at a million entries that
    was 1.2 s a proof)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            self.levels.append(above)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add one leaf at the end (O(log n): only the last node of each level changes)."""
        self.levels[0].append(leaf)
        level = 0
        while len(self.levels[level]) > 1:
            below = self.levels[level]
            i = len(below) - 1
            node = node_hash(below[i - 1], below[i]) if i % 2 else below[i]
            if level + 1 == len(self.levels):
                self.levels.append([])
            above = self.levels[level + 1]
            if len(above) > i >> 1:
                above[i >> 1] = node
            else:
                above.append(node)
            level += 1

    def root(self) -> bytes:
        """MTH(D[n])."""
        return self.levels[-1][0] if self.size else EMPTY_ROOT

    def root_of(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) (0 <= start < end <= n): a kept node when the range is one, else composed from
        kept nodes by the RFC's split."""
        size = end - start
        level = (size - 1).bit_length()  # the smallest power of two holding the range
        if start % (1 << level) == 0 and (size == 1 << level or end == self.size):
            return self.levels[level][start >> level]
        k = _split(size)
        return node_hash(self.root_of(start, start + k), self.root_of(start + k, end))

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


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (not entries)."""
    return Tree(leaves).root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` in the tree over `leaves`."""
    return Tree(leaves).inclusion_proof(index)


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of `first` leaves is a prefix of the tree over `leaves`."""
    return Tree(leaves).consistency_proof(first)
