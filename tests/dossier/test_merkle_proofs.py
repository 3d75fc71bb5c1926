"""The audit log's Merkle tree (R20, R32): proofs built by the server hold in the standalone verifier,
and no altered proof, index, size or root does (RFC 9162 §2.1)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier_verify import merkle as check
from sync_server.transparency import merkle

# The RFC 6962 test vectors used by certificate-transparency implementations: eight leaves, root per size.
VECTOR_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                             "606162636465666768696a6b6c6d6e6f"]]
VECTOR_ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry-{i}".encode()) for i in range(n)]


def test_roots_match_the_rfc_6962_test_vectors():
    hashes = [merkle.leaf_hash(e) for e in VECTOR_LEAVES]
    assert [merkle.root(hashes[:n]).hex() for n in range(1, 9)] == VECTOR_ROOTS
    assert check.leaf_hash(b"") == merkle.leaf_hash(b"")


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_every_inclusion_proof_holds_and_only_for_its_leaf(case: tuple[int, int]):
    n, i = case
    hashes = leaves(n)
    root, path = merkle.root(hashes), merkle.inclusion_proof(i, hashes)
    assert check.inclusion_holds(i, n, hashes[i], path, root)
    assert not check.inclusion_holds(i, n, merkle.leaf_hash(b"forged"), path, root)
    if n > 1:
        assert not check.inclusion_holds((i + 1) % n, n, hashes[i], path, root)
        assert not check.inclusion_holds(i, n, hashes[i], path, merkle.root(hashes[:-1]))
    if path:
        flipped = [bytes([path[0][0] ^ 1]) + path[0][1:]] + path[1:]
        assert not check.inclusion_holds(i, n, hashes[i], flipped, root)
        assert not check.inclusion_holds(i, n, hashes[i], path[:-1], root)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_every_consistency_proof_holds_and_a_rewritten_history_does_not(case: tuple[int, int]):
    m, n = case
    hashes = leaves(n)
    old_root, new_root = merkle.root(hashes[:m]), merkle.root(hashes)
    proof = merkle.consistency_proof(m, hashes)
    assert check.consistency_holds(m, n, old_root, new_root, proof)
    rewritten = leaves(n)
    rewritten[m - 1] = merkle.leaf_hash(b"rewritten")
    assert not check.consistency_holds(m, n, merkle.root(rewritten[:m]), new_root, proof)
    if m < n:
        assert not check.consistency_holds(m, n, old_root, merkle.root(rewritten), proof)
        for k in range(len(proof)):
            flipped = list(proof)
            flipped[k] = bytes([proof[k][0] ^ 1]) + proof[k][1:]
            assert not check.consistency_holds(m, n, old_root, new_root, flipped)
        assert not check.consistency_holds(m, n, old_root, new_root, proof[:-1])


def test_impossible_sizes_are_refused_not_raised():
    hashes = leaves(5)
    root = merkle.root(hashes)
    assert not check.inclusion_holds(5, 5, hashes[0], [], root)
    assert not check.inclusion_holds(-1, 5, hashes[0], [], root)
    assert not check.consistency_holds(0, 5, root, root, [])
    assert not check.consistency_holds(6, 5, root, root, [])
    assert not check.consistency_holds(3, 5, root, root, [])


# RFC 9162 §2.1.1–2.1.4 as written (recursion over slices): the oracle the kept-node tree must equal.
def _rfc_root(d: list[bytes]) -> bytes:
    if not d:
        return merkle.EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = 1 << (len(d) - 1).bit_length() - 1
    return merkle.node_hash(_rfc_root(d[:k]), _rfc_root(d[k:]))


def _rfc_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1 << (len(d) - 1).bit_length() - 1
    return _rfc_path(m, d[:k]) + [_rfc_root(d[k:])] if m < k else _rfc_path(m - k, d[k:]) + [_rfc_root(d[:k])]


def _rfc_subproof(m: int, d: list[bytes], whole: bool) -> list[bytes]:
    if m == len(d):
        return [] if whole else [_rfc_root(d)]
    k = 1 << (len(d) - 1).bit_length() - 1
    if m <= k:
        return _rfc_subproof(m, d[:k], whole) + [_rfc_root(d[k:])]
    return _rfc_subproof(m - k, d[k:], False) + [_rfc_root(d[:k])]


def test_proofs_from_full_subtrees_are_exactly_the_rfc_roots_and_proofs_for_every_size_up_to_70():
    hashes = leaves(70)
    for n in range(1, 71):
        d = hashes[:n]
        tree = merkle.Tree(d)
        assert tree.root() == _rfc_root(d)
        assert [tree.root_of(0, m) for m in range(1, n + 1)] == [_rfc_root(d[:m]) for m in range(1, n + 1)]
        assert [tree.inclusion_proof(i) for i in range(n)] == [_rfc_path(i, d) for i in range(n)]
        assert [tree.consistency_proof(m) for m in range(1, n + 1)] == [_rfc_subproof(m, d, True)
                                                                       for m in range(1, n + 1)]
    assert merkle.Tree([]).root() == merkle.EMPTY_ROOT
