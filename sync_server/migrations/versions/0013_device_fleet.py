"""The device fleet (issue 18): one-time enrolment codes (only their hash) and the registered tablets
with the state each reports at sign-in and sync, and whether it was reported lost.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('device_enrolments',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('code_sha256', sa.String(), nullable=False),
    sa.Column('org_id', sa.String(), nullable=False),
    sa.Column('team_id', sa.String(), nullable=False),
    sa.Column('note', sa.String(), nullable=False),
    sa.Column('created_by', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('used_by_device', sa.String(), nullable=False),
    sa.Column('expiry_logged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.username'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_sha256')
    )
    op.create_table('devices',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('org_id', sa.String(), nullable=True),
    sa.Column('team_id', sa.String(), nullable=False),
    sa.Column('enrolment_id', sa.String(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('last_user', sa.String(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(), nullable=True),
    sa.Column('app_version', sa.String(), nullable=False),
    sa.Column('form_versions', sa.JSON(), nullable=False),
    sa.Column('outbox_backlog', sa.Integer(), nullable=False),
    sa.Column('free_bytes', sa.BigInteger(), nullable=False),
    sa.Column('lost_at', sa.DateTime(), nullable=True),
    sa.Column('lost_by', sa.String(), nullable=False),
    sa.Column('wiped_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handovers') as batch:  # R40: the leaver's devices are on the hand-over list
        batch.add_column(sa.Column('device_ids', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('handovers') as batch:
        batch.drop_column('device_ids')
    op.drop_table('devices')
    op.drop_table('device_enrolments')
