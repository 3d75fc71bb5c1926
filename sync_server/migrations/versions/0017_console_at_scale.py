"""The console at 100k cases, and starts without full-table work (issue 19).

- `backfills`: each start-up backfill runs until its row is written, then never again (ops/backfills.py).
- `case_summaries.search_names` / `search_ids`: the case list's search over the summary row itself
  (casework/case_search.py), filled here from the subjects once; on PostgreSQL a pg_trgm GIN index on each
  (the extension is created if missing; it ships with PostgreSQL, and is trusted: the database owner may;
  where it cannot be created, the search keeps the plain path and the upgrade warns).
- `ix_case_summaries_deadline_case`: the list's order read from an index, a page at a time.
- four two-column indexes on cases: the filter options (units, teams) per role read by skipping.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 22:00:00
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_INDEXES = {"ix_cases_agency_unit": ["agency_id", "entrusting_unit"],
                "ix_cases_agency_team": ["agency_id", "team_id"],
                "ix_cases_team_unit": ["team_id", "entrusting_unit"],
                "ix_cases_unit_team": ["entrusting_unit", "team_id"]}


def upgrade() -> None:
    """Forward only: deployed databases are never downgraded (restore a backup instead)."""
    op.create_table('backfills',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('case_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_names', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_ids', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_case_summaries_deadline_case', ['deadline', 'case_id'], unique=False)
    for name, columns in CASE_INDEXES.items():
        op.create_index(name, 'cases', columns, unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    aggregate = ("string_agg({0}, chr(10) ORDER BY position)" if postgres
                 else "group_concat({0}, char(10))")
    names, ids = aggregate.format("name"), aggregate.format("upper(id_number)")
    op.execute(f"UPDATE case_summaries SET search_names = COALESCE((SELECT {names} FROM subjects "  # noqa: S608
               f"WHERE subjects.case_id = case_summaries.case_id), ''), "
               f"search_ids = COALESCE((SELECT {ids} FROM subjects "
               f"WHERE subjects.case_id = case_summaries.case_id), '')")
    if postgres and _pg_trgm():
        for column in ("search_names", "search_ids"):
            op.execute(f"CREATE INDEX ix_case_summaries_{column}_trgm ON case_summaries "
                       f"USING gin ({column} gin_trgm_ops)")


def _pg_trgm() -> bool:
    """Whether pg_trgm is there or could be made (in a savepoint: a role without the right, or a server
    without the extension, leaves the search on its plain path, with a warning, not a failed upgrade)."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        warnings.warn(f"pg_trgm unavailable, the case search reads without its index: {error.orig}", stacklevel=1)
        return False
    return True


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_case_summaries_search_names_trgm")
    op.execute("DROP INDEX IF EXISTS ix_case_summaries_search_ids_trgm")
    for name in CASE_INDEXES:
        op.drop_index(name, table_name='cases')
    with op.batch_alter_table('case_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_case_summaries_deadline_case')
        batch_op.drop_column('search_ids')
        batch_op.drop_column('search_names')
    op.drop_table('backfills')
