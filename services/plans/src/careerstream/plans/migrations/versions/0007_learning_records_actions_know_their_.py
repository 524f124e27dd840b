"""learning records: actions know their catalogue entry and progress; LMS activities map to entries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:24:55.842664
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_activities',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False, comment="the LMS's activity IRI"),
    sa.Column('entry_id', sa.Text(), nullable=False),
    sa.Column('mapped_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'activity_id', name=op.f('pk_catalogue_activities')),
    schema='plans',
    comment='Which catalogue entry an LMS activity is (learning records find actions by it)'
    )
    op.create_index('ix_catalogue_activities_entry', 'catalogue_activities', ['tenant_id', 'entry_id'], unique=False, schema='plans')
    op.create_table('learning_records',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('statement_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('activity_name', sa.Text(), nullable=True),
    sa.Column('verb', sa.Text(), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied', sa.Boolean(), server_default=sa.text('false'), nullable=False, comment='its activity was mapped when it came (or since): it moved the plans it could'),
    sa.Column('actions', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False, comment='the actions it moved'),
    sa.Column('voided', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'statement_id', name=op.f('pk_learning_records')),
    schema='plans',
    comment="Learning records of the tenant's people, kept until their activity is mapped"
    )
    op.create_index('ix_learning_records_employee', 'learning_records', ['tenant_id', 'employee_id'], unique=False, schema='plans')
    op.create_index('ix_learning_records_pending', 'learning_records', ['tenant_id', 'activity_id'], unique=False, schema='plans', postgresql_where=sa.text('NOT applied'))
    op.add_column('actions', sa.Column('entry_id', sa.Text(), nullable=True, comment='the catalogue entry it is, when it is one'), schema='plans')
    op.add_column('actions', sa.Column('progress', sa.SmallInteger(), server_default='0', nullable=False), schema='plans')
    op.add_column('actions', sa.Column('via', sa.Text(), server_default='hand', nullable=False, comment='hand or lms'), schema='plans')
    op.add_column('actions', sa.Column('statement_id', sa.Text(), nullable=True, comment='the learning record that last moved it'), schema='plans')
    op.execute("UPDATE plans.actions SET progress = 100 WHERE status = 'done'")


def downgrade() -> None:
    op.drop_column('actions', 'statement_id', schema='plans')
    op.drop_column('actions', 'via', schema='plans')
    op.drop_column('actions', 'progress', schema='plans')
    op.drop_column('actions', 'entry_id', schema='plans')
    op.drop_index('ix_learning_records_pending', table_name='learning_records', schema='plans', postgresql_where=sa.text('NOT applied'))
    op.drop_index('ix_learning_records_employee', table_name='learning_records', schema='plans')
    op.drop_table('learning_records', schema='plans')
    op.drop_index('ix_catalogue_activities_entry', table_name='catalogue_activities', schema='plans')
    op.drop_table('catalogue_activities', schema='plans')
