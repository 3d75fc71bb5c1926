"""Quality assessments of staff (§4.3.5, R37, issue 20): a manager's grade of one person over a period,
with the figures it rests on.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('quality_assessments',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('username', sa.String(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('grade', sa.String(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('figures_json', sa.Text(), nullable=False),
    sa.Column('assessed_by', sa.String(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['accounts.username'], ),
    sa.ForeignKeyConstraint(['assessed_by'], ['accounts.username'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_quality_assessments_username'), 'quality_assessments', ['username'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_quality_assessments_username'), table_name='quality_assessments')
    op.drop_table('quality_assessments')
