"""Exchange with the entrusting units' systems and cross-province checks (issue 20, R36, R38): the units
with their hashed keys and webhooks, their submissions by reference, the durable outbox and its delivery
log, other agencies' servers, the cross-province checks, and the agency hierarchy (organisations.parent_id).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.String(), nullable=True))
        batch_op.create_foreign_key('fk_organisations_parent_id_organisations', 'organisations',
                                    ['parent_id'], ['id'])
    op.create_table('exchange_units',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('account', sa.String(), nullable=False),
    sa.Column('team_id', sa.String(), nullable=False),
    sa.Column('key_prefix', sa.String(), nullable=False),
    sa.Column('key_hash', sa.String(), nullable=False),
    sa.Column('key_created_at', sa.DateTime(), nullable=True),
    sa.Column('webhook_url', sa.String(), nullable=False),
    sa.Column('webhook_secret', sa.String(), nullable=False),
    sa.Column('next_seq', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['accounts.username'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_exchange_units_key_hash'), 'exchange_units', ['key_hash'], unique=False)
    op.create_table('exchange_submissions',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=False),
    sa.Column('reference', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('digest', sa.String(), nullable=False),
    sa.Column('declared', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['exchange_units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'reference')
    )
    op.create_index(op.f('ix_exchange_submissions_unit_id'), 'exchange_submissions', ['unit_id'], unique=False)
    op.create_index(op.f('ix_exchange_submissions_case_id'), 'exchange_submissions', ['case_id'], unique=False)
    op.create_table('exchange_outbox',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('unit_id', sa.String(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=False),
    sa.Column('event', sa.String(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['exchange_units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'seq')
    )
    op.create_index(op.f('ix_exchange_outbox_unit_id'), 'exchange_outbox', ['unit_id'], unique=False)
    op.create_index(op.f('ix_exchange_outbox_case_id'), 'exchange_outbox', ['case_id'], unique=False)
    op.create_table('exchange_deliveries',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('message_id', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(), nullable=False),
    sa.Column('by', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['exchange_outbox.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_exchange_deliveries_message_id'), 'exchange_deliveries', ['message_id'], unique=False)
    op.create_table('exchange_peers',
    sa.Column('org_id', sa.String(), nullable=False),
    sa.Column('base_url', sa.String(), nullable=False),
    sa.Column('public_key', sa.String(), nullable=False),
    sa.Column('key_id', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('org_id')
    )
    op.create_table('cross_province_checks',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('side', sa.String(), nullable=False),
    sa.Column('case_id', sa.String(), nullable=True),
    sa.Column('from_agency', sa.String(), nullable=False),
    sa.Column('to_agency', sa.String(), nullable=False),
    sa.Column('subjects', sa.JSON(), nullable=False),
    sa.Column('question', sa.Text(), server_default='', nullable=False),
    sa.Column('needed_on', sa.Date(), nullable=False),
    sa.Column('submit_due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(), nullable=False),
    sa.Column('answer', sa.Text(), server_default='', nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by', sa.String(), nullable=False),
    sa.Column('feedback_due', sa.Date(), nullable=True),
    sa.Column('fed_back_at', sa.DateTime(), nullable=True),
    sa.Column('fed_back_by', sa.String(), nullable=False),
    sa.Column('request_package', sa.Text(), server_default='', nullable=False),
    sa.Column('answer_package', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_cross_province_checks_case_id'), 'cross_province_checks', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_cross_province_checks_case_id'), table_name='cross_province_checks')
    op.drop_table('cross_province_checks')
    op.drop_table('exchange_peers')
    op.drop_index(op.f('ix_exchange_deliveries_message_id'), table_name='exchange_deliveries')
    op.drop_table('exchange_deliveries')
    op.drop_index(op.f('ix_exchange_outbox_case_id'), table_name='exchange_outbox')
    op.drop_index(op.f('ix_exchange_outbox_unit_id'), table_name='exchange_outbox')
    op.drop_table('exchange_outbox')
    op.drop_index(op.f('ix_exchange_submissions_case_id'), table_name='exchange_submissions')
    op.drop_index(op.f('ix_exchange_submissions_unit_id'), table_name='exchange_submissions')
    op.drop_table('exchange_submissions')
    op.drop_index(op.f('ix_exchange_units_key_hash'), table_name='exchange_units')
    op.drop_table('exchange_units')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organisations_parent_id_organisations', type_='foreignkey')
        batch_op.drop_column('parent_id')
