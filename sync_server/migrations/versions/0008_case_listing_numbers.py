"""Each case's place in the devices' case list, from one counter (casework/device_order.py): a case
created or reassigned while a tablet pages through its list comes on a later page instead of being
skipped.

Backfill: existing cases are numbered in the order the list had before (acceptance date, then id), and
the counter starts after them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 23:55:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('counters',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_cases_listed_seq'), ['listed_seq'], unique=False)
    op.execute("UPDATE cases SET listed_seq = numbered.n FROM (SELECT id, row_number() OVER "
               "(ORDER BY accepted_on, id) AS n FROM cases) AS numbered WHERE cases.id = numbered.id")
    op.execute("INSERT INTO counters (name, value) SELECT 'case_listing', count(*) FROM cases")


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_listed_seq'))
        batch_op.drop_column('listed_seq')
    op.drop_table('counters')
