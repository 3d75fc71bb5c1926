"""Who sealed each merged record (record_surveyors), so the director's figures credit both surveyors of the
pair (issue 20, §4.3.5). Rows of records merged before are filled at start, once (db._backfill).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('record_surveyors',
    sa.Column('record_id', sa.String(), nullable=False),
    sa.Column('username', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'username')
    )
    op.create_index(op.f('ix_record_surveyors_username'), 'record_surveyors', ['username'], unique=False)
    op.create_index(op.f('ix_record_surveyors_case_id'), 'record_surveyors', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_record_surveyors_case_id'), table_name='record_surveyors')
    op.drop_index(op.f('ix_record_surveyors_username'), table_name='record_surveyors')
    op.drop_table('record_surveyors')
