"""learning records: completions and plan actions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:25:31.586245
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('learning_completions',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('statement_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'statement_id', name=op.f('pk_learning_completions')),
    schema='metrics',
    comment='Activities people completed or passed, as the LMS said (learning.completed)'
    )
    op.create_index('ix_learning_completions_window', 'learning_completions', ['tenant_id', 'completed_at'], unique=False, schema='metrics')
    op.create_table('plan_actions',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('action_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('via', sa.Text(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True, comment='when it was last marked done (null unless done)'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'action_id', name=op.f('pk_plan_actions')),
    schema='metrics',
    comment='Plan actions whose status changed (action.updated): done by hand or from the LMS'
    )


def downgrade() -> None:
    op.drop_table('plan_actions', schema='metrics')
    op.drop_index('ix_learning_completions_window', table_name='learning_completions', schema='metrics')
    op.drop_table('learning_completions', schema='metrics')
