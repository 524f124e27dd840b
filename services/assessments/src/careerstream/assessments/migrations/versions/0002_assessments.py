"""projections, cycles, assessments, ratings, results and levels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:10:21.123214
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
    op.create_table('assessments',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('cycle_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('required', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('scale_low', sa.SmallInteger(), nullable=False),
    sa.Column('scale_high', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('peers', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'assessment_id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('tenant_id', 'cycle_id', 'employee_id', name=op.f('uq_assessments_tenant_id')),
    schema='assessments'
    )
    op.create_index('ix_assessments_employee', 'assessments', ['tenant_id', 'employee_id'], unique=False, schema='assessments')
    op.create_table('cycles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('cycle_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('population', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('weights', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'cycle_id', name=op.f('pk_cycles')),
    schema='assessments'
    )
    op.create_table('employees',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('target_role_id', sa.Text(), nullable=True),
    sa.Column('field_times', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_employees')),
    schema='assessments'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='assessments')
    op.create_table('frameworks',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('scale_low', sa.SmallInteger(), nullable=False),
    sa.Column('scale_high', sa.SmallInteger(), nullable=False),
    sa.Column('competencies', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('retired_versions', postgresql.ARRAY(sa.Integer()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'framework_id', name=op.f('pk_frameworks')),
    schema='assessments'
    )
    op.create_table('levels',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('required', sa.SmallInteger(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('family_id', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', 'competency_id', name=op.f('pk_levels')),
    schema='assessments'
    )
    op.create_index('ix_levels_department', 'levels', ['tenant_id', 'department_id'], unique=False, schema='assessments')
    op.create_index('ix_levels_family', 'levels', ['tenant_id', 'family_id'], unique=False, schema='assessments')
    op.create_index('ix_levels_manager', 'levels', ['tenant_id', 'manager_id'], unique=False, schema='assessments')
    op.create_table('results',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('calibrated_by', sa.Text(), nullable=True),
    sa.Column('calibrated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'assessment_id', 'competency_id', name=op.f('pk_results')),
    schema='assessments'
    )
    op.create_table('roles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('level_id', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('requirements', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_roles')),
    schema='assessments'
    )
    op.create_table('submissions',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('rater_id', sa.Text(), nullable=False),
    sa.Column('rater_kind', sa.Text(), nullable=False),
    sa.Column('ratings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'assessment_id', 'rater_id', name=op.f('pk_submissions')),
    schema='assessments'
    )


def downgrade() -> None:
    op.drop_table('submissions', schema='assessments')
    op.drop_table('roles', schema='assessments')
    op.drop_table('results', schema='assessments')
    op.drop_index('ix_levels_manager', table_name='levels', schema='assessments')
    op.drop_index('ix_levels_family', table_name='levels', schema='assessments')
    op.drop_index('ix_levels_department', table_name='levels', schema='assessments')
    op.drop_table('levels', schema='assessments')
    op.drop_table('frameworks', schema='assessments')
    op.drop_index('ix_employees_manager', table_name='employees', schema='assessments')
    op.drop_table('employees', schema='assessments')
    op.drop_table('cycles', schema='assessments')
    op.drop_index('ix_assessments_employee', table_name='assessments', schema='assessments')
    op.drop_table('assessments', schema='assessments')
