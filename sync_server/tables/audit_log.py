"""The append-only audit log (RFC 9162 style Merkle tree) and its signed checkpoints.

Rows are only ever inserted: `entry` is the exact RFC 8785 JSON that was hashed into the tree.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import UtcDateTime


class AuditEntry(SQLModel, table=True):
    """One logged event; `position` is its leaf index (0, 1, 2 ... without gaps)."""

    __tablename__ = "audit_entries"
    position: int = Field(primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    kind: str = Field(index=True)  # e.g. record.ingested, auth.login, report.issued, dossier.exported
    actor: str = ""
    case_id: str | None = Field(default=None, index=True)
    subject: str = Field(default="", index=True)  # the record id, report version, file hash ...
    entry: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    leaf_hash: str  # hex of SHA-256(0x00 || entry)


class AuditNode(SQLModel, table=True):
    """The hash of a full subtree of the log's tree, stored once its last leaf is appended: node `number` at
    `level` (1 and up; level 0 is the leaves) covers leaves number·2^level to (number+1)·2^level − 1. A
    root or proof then reads O(log n) rows, however long the log."""

    __tablename__ = "audit_nodes"
    level: int = Field(primary_key=True)
    number: int = Field(primary_key=True)
    node_hash: str  # hex of SHA-256(0x01 || left || right)


class AuditCheckpoint(SQLModel, table=True):
    """A signed tree head. Now a C2SP signed note: `body` is the note's text (origin, size, base64 root)
    and `signature` the base64 of key hash ‖ Ed25519 signature (audit.signed_note rebuilds the note);
    checkpoints of the first format keep their RFC 8785 JSON body."""

    __tablename__ = "audit_checkpoints"
    tree_size: int = Field(primary_key=True)
    root_hash: str
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    key_id: str
    body: str = Field(sa_column=Column(Text, nullable=False))  # the exact text (or first format: JSON) signed
    signature: str  # base64: key hash ‖ Ed25519 over body (first format: Ed25519 over CHECKPOINT_CONTEXT + body)
