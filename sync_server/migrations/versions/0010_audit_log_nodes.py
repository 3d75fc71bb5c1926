"""The audit log's full subtrees stored as they complete (tables/audit_log.py `AuditNode`), so a checkpoint's
root and a dossier's proofs read O(log n) rows instead of hashing the whole log.

Backfill: `audit.fill_nodes`, run by `db.make_engine` right after the upgrade (as revision 0007's).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('audit_nodes',
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('node_hash', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('level', 'number')
    )


def downgrade() -> None:
    op.drop_table('audit_nodes')
