"""Evidence findings kept with each record, and reviewers' acknowledgements (issue 16).

Records merged before this revision have no findings row: `findings.fill_missing`, run at start after
the upgrade, judges them from their stored files (as revision 0009's backfill does for names).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 19:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table(
        'record_findings',
        sa.Column('record_id', sa.String(), sa.ForeignKey('records.id'), primary_key=True),
        sa.Column('case_id', sa.String(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('facts_json', sa.Text(), nullable=False),
        sa.Column('findings_json', sa.Text(), nullable=False),
        sa.Column('judged_at', sa.DateTime(), nullable=False))
    op.create_index('ix_record_findings_case_id', 'record_findings', ['case_id'])
    op.create_table(
        'finding_acks',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('case_id', sa.String(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('record_id', sa.String(), sa.ForeignKey('records.id'), nullable=False),
        sa.Column('code', sa.String(), nullable=False),
        sa.Column('target', sa.String(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('by', sa.String(), sa.ForeignKey('accounts.username'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False))
    op.create_index('ix_finding_acks_case_id', 'finding_acks', ['case_id'])
    op.create_index('ix_finding_acks_record_id', 'finding_acks', ['record_id'])


def downgrade() -> None:
    op.drop_table('finding_acks')
    op.drop_table('record_findings')
