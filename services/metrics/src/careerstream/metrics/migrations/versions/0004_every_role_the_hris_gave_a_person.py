"""every role the HRIS gave a person

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:09:18.178747
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('role_history',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_on', sa.DateTime(timezone=True), nullable=False, comment='the start of the effective date'),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True, comment="the HRIS's reason; 'hired' for the role at hire"),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', 'recorded_at', name=op.f('pk_role_history')),
    schema='metrics',
    comment='Every role the HRIS gave a person, as announced: moves are read from it in order'
    )
    op.create_index('ix_role_history_window', 'role_history', ['tenant_id', 'effective_on'], unique=False, schema='metrics')


def downgrade() -> None:
    op.drop_index('ix_role_history_window', table_name='role_history', schema='metrics')
    op.drop_table('role_history', schema='metrics')
