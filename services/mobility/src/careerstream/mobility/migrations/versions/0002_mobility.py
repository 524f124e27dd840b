"""directory, roles, profiles, opportunities, applications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:27:21.263676
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE mobility.profile_seq")
    op.create_table('applications',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('application_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'application_id', name=op.f('pk_applications')),
    schema='mobility'
    )
    op.create_index('ix_applications_opportunity', 'applications', ['tenant_id', 'opportunity_id'], unique=False, schema='mobility')
    op.create_index('one_live_application', 'applications', ['tenant_id', 'opportunity_id', 'employee_id'], unique=True, schema='mobility', postgresql_where=sa.text("status <> 'withdrawn'"))
    op.create_table('employees',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('group_attributes', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_voluntarily', sa.Boolean(), nullable=True),
    sa.Column('field_times', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_employees')),
    schema='mobility'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='mobility')
    op.create_table('opportunities',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('family_id', sa.Text(), nullable=True),
    sa.Column('level_id', sa.Text(), nullable=True),
    sa.Column('required', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('time_share', sa.SmallInteger(), nullable=False),
    sa.Column('duration_weeks', sa.SmallInteger(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('visibility', sa.Text(), nullable=False),
    sa.Column('hiring_manager_id', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filled_by', sa.Text(), nullable=True),
    sa.Column('internal_fill', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'opportunity_id', name=op.f('pk_opportunities')),
    schema='mobility'
    )
    op.create_table('profiles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('levels', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_role_ids', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('target_family_ids', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('open_to_projects', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('willing_to_relocate', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_profiles')),
    schema='mobility'
    )
    op.create_index('ix_profiles_seq', 'profiles', ['tenant_id', 'seq'], unique=False, schema='mobility')
    op.create_table('roles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('level_id', sa.Text(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('requirements', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('scale_high', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_roles')),
    schema='mobility'
    )


def downgrade() -> None:
    op.drop_table('roles', schema='mobility')
    op.drop_index('ix_profiles_seq', table_name='profiles', schema='mobility')
    op.drop_table('profiles', schema='mobility')
    op.drop_table('opportunities', schema='mobility')
    op.drop_index('ix_employees_manager', table_name='employees', schema='mobility')
    op.drop_table('employees', schema='mobility')
    op.drop_index('one_live_application', table_name='applications', schema='mobility', postgresql_where=sa.text("status <> 'withdrawn'"))
    op.drop_index('ix_applications_opportunity', table_name='applications', schema='mobility')
    op.drop_table('applications', schema='mobility')
    op.execute("DROP SEQUENCE mobility.profile_seq")
