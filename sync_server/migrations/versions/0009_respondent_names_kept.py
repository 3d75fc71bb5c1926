"""The respondent's name kept on each merged record, so a case's checklist (computed at every ingest
and kept in its summary) parses no sealed record.

Backfill: `review.fill_respondents`, run by `db.make_engine` right after the upgrade (as revision 0007's).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 00:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent_name', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('respondent_name')
