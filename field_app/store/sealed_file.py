"""Evidence files encrypted in chunks (AES-256-GCM), written and read as streams.

Layout: header | chunk 0 | chunk 1 | ... | trailer
- header (40 bytes): b"FEv1" | chunk size (u32) | salt (32). The file's own key is
  HKDF-SHA256(evidence key, salt): every file has its own key, so counter nonces never repeat.
- chunk i: AES-GCM(file key, nonce = i (u64) | last flag (u32), plaintext chunk, AAD = header);
  the last chunk carries the flag, so a truncated or reordered file fails to decrypt.
- trailer: AES-GCM(file key, nonce = 2**64-1 | 2, SHA-256 of the plaintext (32) | size (u64), header).

The SHA-256 sealed in records stays the hash of the ORIGINAL plaintext: it is computed while
encrypting and checked again while decrypting.
"""
from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"FEv1"
CHUNK = 256 * 1024
TAG = 16
_HEADER = struct.Struct(">4sI32s")
_NONCE = struct.Struct(">QI")
_META = struct.Struct(">32sQ")
TRAILER = _META.size + TAG


class CorruptEvidence(ValueError):
    """An evidence file that does not decrypt or does not hash to its name."""


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"field_app/evidence-file")
                  .derive(key))


def encrypt_stream(key: bytes, chunks: Iterable[bytes], out: BinaryIO, chunk_size: int = CHUNK) -> tuple[str, int]:
    """Encrypt plaintext pieces into `out`; returns (SHA-256 of the plaintext, plaintext size)."""
    header = _HEADER.pack(MAGIC, chunk_size, secrets.token_bytes(32))
    aead = _file_key(key, header[8:])
    out.write(header)
    sha, size, index, pending = hashlib.sha256(), 0, 0, bytearray()

    def emit(data: bytes, last: bool) -> None:
        nonlocal index
        out.write(aead.encrypt(_NONCE.pack(index, int(last)), data, header))
        index += 1

    for piece in chunks:
        sha.update(piece)
        size += len(piece)
        pending += piece
        while len(pending) > chunk_size:  # keep one chunk back: it may be the last
            emit(bytes(pending[:chunk_size]), False)
            del pending[:chunk_size]
    emit(bytes(pending), True)
    digest = sha.digest()
    out.write(aead.encrypt(_NONCE.pack(2 ** 64 - 1, 2), _META.pack(digest, size), header))
    return digest.hex(), size


def _open(key: bytes, f: BinaryIO) -> tuple[bytes, int, AESGCM]:
    header = f.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise CorruptEvidence("truncated header")
    magic, chunk_size, salt = _HEADER.unpack(header)
    if magic != MAGIC or not 1024 <= chunk_size <= 16 * 1024 * 1024:
        raise CorruptEvidence("not an evidence file of this app")
    return header, chunk_size, _file_key(key, salt)


def read_meta(key: bytes, f: BinaryIO) -> tuple[str, int]:
    """(SHA-256 hex, plaintext size) from the authenticated trailer."""
    header, _chunk_size, aead = _open(key, f)
    f.seek(-TRAILER, 2)
    try:
        digest, size = _META.unpack(aead.decrypt(_NONCE.pack(2 ** 64 - 1, 2), f.read(TRAILER), header))
    except (InvalidTag, struct.error):
        raise CorruptEvidence("trailer does not decrypt") from None
    return digest.hex(), size


def decrypt_stream(key: bytes, f: BinaryIO, start: int = 0) -> Iterator[bytes]:
    """Plaintext pieces from byte `start` on. Each chunk is authenticated before it is yielded;
    reading from 0, the hash of the whole plaintext is checked against the trailer at the end."""
    expected_sha, size = read_meta(key, f)
    f.seek(0)
    header, chunk_size, aead = _open(key, f)
    index = start // chunk_size if start < size else max(0, (size - 1) // chunk_size)
    f.seek(_HEADER.size + index * (chunk_size + TAG))
    sha = hashlib.sha256() if start == 0 else None
    skip = start - index * chunk_size
    done = index * chunk_size
    while True:
        last = done + chunk_size >= size
        sealed = f.read((size - done if last else chunk_size) + TAG)
        try:
            plain = aead.decrypt(_NONCE.pack(index, int(last)), sealed, header)
        except InvalidTag:
            raise CorruptEvidence(f"chunk {index} does not decrypt") from None
        if sha is not None:
            sha.update(plain)
        if plain[skip:]:
            yield plain[skip:]
        skip, done, index = 0, done + len(plain), index + 1
        if last:
            break
    if sha is not None and sha.hexdigest() != expected_sha:
        raise CorruptEvidence("plaintext does not hash to the sealed SHA-256")
