"""Indexes for the director's dashboard (issue 20): the refusals of a period found from the refused records
(records by outcome, then case), not by reading every sealer's every record; the returns found from the
return decisions on records (review_entries by action, then target), which SQLite otherwise indexes anew
for each dashboard it draws (an automatic index).

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-07 04:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0025'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_index('ix_records_outcome_case', 'records', ['outcome', 'case_id'], unique=False)
    op.create_index('ix_review_entries_action_target', 'review_entries', ['action', 'target'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_review_entries_action_target', table_name='review_entries')
    op.drop_index('ix_records_outcome_case', table_name='records')
