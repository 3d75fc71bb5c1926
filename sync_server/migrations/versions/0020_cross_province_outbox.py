"""The durable outbox of cross-province packages and its delivery attempts (R36, §4.2.2): a step that must
reach another agency's server is recorded at once and its signed package delivered when that server answers.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('cross_outbox',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.String(), nullable=False),
    sa.Column('peer_id', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('signed_by', sa.String(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('refused_at', sa.DateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['cross_province_checks.id'], ),
    sa.ForeignKeyConstraint(['peer_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seq')
    )
    op.create_index(op.f('ix_cross_outbox_check_id'), 'cross_outbox', ['check_id'], unique=False)
    op.create_index(op.f('ix_cross_outbox_peer_id'), 'cross_outbox', ['peer_id'], unique=False)
    op.create_table('cross_deliveries',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('package_id', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('by', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['cross_outbox.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_cross_deliveries_package_id'), 'cross_deliveries', ['package_id'], unique=False)
    # the outbox's sequence (office/cross_outbox.py): its row made here, so two first packages never race to insert it
    op.execute("INSERT INTO counters (name, value) VALUES ('cross_outbox', 0)")


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'cross_outbox'")
    op.drop_index(op.f('ix_cross_deliveries_package_id'), table_name='cross_deliveries')
    op.drop_table('cross_deliveries')
    op.drop_index(op.f('ix_cross_outbox_peer_id'), table_name='cross_outbox')
    op.drop_index(op.f('ix_cross_outbox_check_id'), table_name='cross_outbox')
    op.drop_table('cross_outbox')
