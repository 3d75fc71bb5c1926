"""Disposal that is whole and accountable (R35, issue 17): the appraisal a second person decides, the
files a disposal destroyed (so backups and checks no longer expect them), and the disposal certificate.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('disposal_appraisals',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('proposed_by', sa.String(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(), nullable=False),
    sa.Column('decided_by', sa.String(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['accounts.username'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_disposal_appraisals_case_id'), 'disposal_appraisals', ['case_id'], unique=False)
    op.create_table('disposed_files',
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('disposed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_index(op.f('ix_disposed_files_case_id'), 'disposed_files', ['case_id'], unique=False)
    op.create_table('disposal_certificates',
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('appraisal_id', sa.String(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['disposal_appraisals.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )


def downgrade() -> None:
    op.drop_table('disposal_certificates')
    op.drop_index(op.f('ix_disposed_files_case_id'), table_name='disposed_files')
    op.drop_table('disposed_files')
    op.drop_index(op.f('ix_disposal_appraisals_case_id'), table_name='disposal_appraisals')
    op.drop_table('disposal_appraisals')
