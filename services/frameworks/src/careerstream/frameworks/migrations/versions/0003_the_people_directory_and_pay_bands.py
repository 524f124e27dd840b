"""the people directory and pay bands

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:30:28.159137
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('employees',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_voluntarily', sa.Boolean(), nullable=True),
    sa.Column('field_times', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_employees')),
    schema='frameworks'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='frameworks')
    op.create_table('pay_bands',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('level_id', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False, comment="'*': wherever no band is set"),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('minimum', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('midpoint', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('maximum', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'framework_id', 'family_id', 'level_id', 'location', name=op.f('pk_pay_bands')),
    schema='frameworks',
    comment='Compensation bands per level and location: never in an event or an export file'
    )
    op.create_table('pay_settings',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employees_see_bands', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_pay_settings')),
    schema='frameworks',
    comment='Whether employees see the bands of their own and their next levels'
    )


def downgrade() -> None:
    op.drop_table('pay_settings', schema='frameworks')
    op.drop_table('pay_bands', schema='frameworks')
    op.drop_index('ix_employees_manager', table_name='employees', schema='frameworks')
    op.drop_table('employees', schema='frameworks')
