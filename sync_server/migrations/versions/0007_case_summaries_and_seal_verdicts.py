"""Case summaries kept as data, and the seals' verdict kept on each stored record (issue 9, the console at
scale).

Backfill: both are computed by the code that keeps them right (casework/summaries.py `fill_missing`,
casework/seal_checks.py `fill_missing`), run by `db.make_engine` right after the upgrade, at every start:
a database upgraded here gets every case's summary and every record's verdict before the first request,
and a revision re-chained after this one cannot break the backfill (it runs against the newest tables).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23 08:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('case_summaries',
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('home_visits', sa.Integer(), nullable=False),
    sa.Column('neighbour_interviews', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('last_record_at', sa.DateTime(), nullable=True),
    sa.Column('checklist_status', sa.String(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('review_status', sa.String(), nullable=False),
    sa.Column('open_returns', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('letters_open', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('case_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_summaries_checklist_status'), ['checklist_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_summaries_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_summaries_review_status'), ['review_status'], unique=False)

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal_verdicts', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('seals_checked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('seals_checked_by', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('seals_checked_by')
        batch_op.drop_column('seals_checked_at')
        batch_op.drop_column('seal_verdicts')
    with op.batch_alter_table('case_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_summaries_review_status'))
        batch_op.drop_index(batch_op.f('ix_case_summaries_deadline'))
        batch_op.drop_index(batch_op.f('ix_case_summaries_checklist_status'))
    op.drop_table('case_summaries')
