"""the organisation tree

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 17:44:47.520338
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('org_units',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('orgunit_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Text(), nullable=True),
    sa.Column('head_id', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'orgunit_id', name=op.f('pk_org_units')),
    schema='mobility'
    )
    op.create_index('ix_org_units_parent', 'org_units', ['tenant_id', 'parent_id'], unique=False, schema='mobility')


def downgrade() -> None:
    op.drop_index('ix_org_units_parent', table_name='org_units', schema='mobility')
    op.drop_table('org_units', schema='mobility')
