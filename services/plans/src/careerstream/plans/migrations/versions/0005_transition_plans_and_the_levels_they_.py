"""transition plans and the levels they start from

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:14:12.509732
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('levels',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('identified_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', 'competency_id', name=op.f('pk_levels')),
    schema='plans',
    comment="Each person's latest known level per competency (from skillgap.identified): a transition plan's gaps against the new role are read from it"
    )
    op.add_column('plans', sa.Column('transition_to_role_id', sa.Text(), nullable=True, comment='a transition plan: the role moved into'), schema='plans')


def downgrade() -> None:
    op.drop_column('plans', 'transition_to_role_id', schema='plans')
    op.drop_table('levels', schema='plans')
