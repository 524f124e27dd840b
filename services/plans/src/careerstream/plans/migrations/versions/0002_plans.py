"""directory, framework projections, plans, goals, actions, check-ins, conversations, catalogue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:22:14.105897
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
    op.create_table('actions',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('action_id', sa.Text(), nullable=False),
    sa.Column('goal_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Text(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Text(), server_default='planned', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'action_id', name=op.f('pk_actions')),
    schema='plans'
    )
    op.create_index('ix_actions_goal', 'actions', ['tenant_id', 'goal_id'], unique=False, schema='plans')
    op.create_table('catalogue',
    sa.Column('tenant_id', sa.Text(), nullable=False, comment="'*' for the seeded entries"),
    sa.Column('entry_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False, comment="'*' for any competency"),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('min_level', sa.SmallInteger(), nullable=False),
    sa.Column('max_level', sa.SmallInteger(), nullable=False),
    sa.Column('effort_weeks', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'entry_id', name=op.f('pk_catalogue')),
    schema='plans'
    )
    op.create_table('checkins',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('checkin_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('manager_id', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False, comment='private to the employee and their managers'),
    sa.Column('progress_rating', sa.SmallInteger(), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'checkin_id', name=op.f('pk_checkins')),
    schema='plans'
    )
    op.create_index('ix_checkins_plan', 'checkins', ['tenant_id', 'plan_id'], unique=False, schema='plans')
    op.create_table('competencies',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('descriptors', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('scale_low', sa.SmallInteger(), nullable=False),
    sa.Column('scale_high', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'competency_id', name=op.f('pk_competencies')),
    schema='plans'
    )
    op.create_table('conversations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('conversation_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('manager_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False, comment='private to the employee and their managers'),
    sa.Column('follow_ups', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='[{text, goal_id}]'),
    sa.PrimaryKeyConstraint('tenant_id', 'conversation_id', name=op.f('pk_conversations')),
    schema='plans'
    )
    op.create_index('ix_conversations_employee', 'conversations', ['tenant_id', 'employee_id'], unique=False, schema='plans')
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
    schema='plans'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='plans')
    op.create_table('goals',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('goal_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('from_level', sa.SmallInteger(), nullable=False),
    sa.Column('to_level', sa.SmallInteger(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('progress', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'goal_id', name=op.f('pk_goals')),
    schema='plans'
    )
    op.create_index('ix_goals_plan', 'goals', ['tenant_id', 'plan_id'], unique=False, schema='plans')
    op.create_table('plans',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.Text(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'plan_id', name=op.f('pk_plans')),
    schema='plans'
    )
    op.create_index('one_open_plan_per_period', 'plans', ['tenant_id', 'employee_id', 'period_start'], unique=True, schema='plans', postgresql_where=sa.text("status IN ('suggested', 'draft', 'active')"))
    op.create_table('roles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('track_ids', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('requirements', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_roles')),
    schema='plans'
    )
    op.create_table('settings',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('plan_mode', sa.Text(), server_default='draft', nullable=False),
    sa.Column('period_months', sa.SmallInteger(), server_default='6', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_settings')),
    schema='plans'
    )


def downgrade() -> None:
    op.drop_table('settings', schema='plans')
    op.drop_table('roles', schema='plans')
    op.drop_index('one_open_plan_per_period', table_name='plans', schema='plans', postgresql_where=sa.text("status IN ('suggested', 'draft', 'active')"))
    op.drop_table('plans', schema='plans')
    op.drop_index('ix_goals_plan', table_name='goals', schema='plans')
    op.drop_table('goals', schema='plans')
    op.drop_index('ix_employees_manager', table_name='employees', schema='plans')
    op.drop_table('employees', schema='plans')
    op.drop_index('ix_conversations_employee', table_name='conversations', schema='plans')
    op.drop_table('conversations', schema='plans')
    op.drop_table('competencies', schema='plans')
    op.drop_index('ix_checkins_plan', table_name='checkins', schema='plans')
    op.drop_table('checkins', schema='plans')
    op.drop_table('catalogue', schema='plans')
    op.drop_index('ix_actions_goal', table_name='actions', schema='plans')
    op.drop_table('actions', schema='plans')
