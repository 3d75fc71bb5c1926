"""Client certificates of the entrusting units' systems (issue 20): unit_certificates, one row per
certificate the agency CA issued to a unit, by SHA-256 fingerprint, with its expiry and revocation.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07 03:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('unit_certificates',
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=False),
    sa.Column('serial', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('pem', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by', sa.String(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['exchange_units.id'], ),
    sa.ForeignKeyConstraint(['issued_by'], ['accounts.username'], ),
    sa.PrimaryKeyConstraint('fingerprint')
    )
    op.create_index(op.f('ix_unit_certificates_unit_id'), 'unit_certificates', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unit_certificates_unit_id'), table_name='unit_certificates')
    op.drop_table('unit_certificates')
