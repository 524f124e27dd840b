"""event facts: people, roles, opportunities, applications, plans, goals, conversations, surveys, gaps, readiness, snapshots

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:38:36.218614
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
    op.create_table('applications',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('application_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shortlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'application_id', name=op.f('pk_applications')),
    schema='metrics'
    )
    op.create_table('conversations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('conversation_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('manager_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'conversation_id', name=op.f('pk_conversations')),
    schema='metrics'
    )
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
    schema='metrics'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='metrics')
    op.create_table('gap_observations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=False),
    sa.Column('identified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('required', sa.SmallInteger(), nullable=False),
    sa.Column('current', sa.SmallInteger(), nullable=False),
    sa.Column('gap', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', 'reference', 'competency_id', 'identified_at', name=op.f('pk_gap_observations')),
    schema='metrics'
    )
    op.create_table('goals',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('goal_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('competency_id', sa.Text(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'goal_id', name=op.f('pk_goals')),
    schema='metrics'
    )
    op.create_table('opportunities',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('family_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('hiring_manager_id', sa.Text(), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=True),
    sa.Column('mover_id', sa.Text(), nullable=True),
    sa.Column('from_role_id', sa.Text(), nullable=True),
    sa.Column('to_role_id', sa.Text(), nullable=True),
    sa.Column('move_kind', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'opportunity_id', name=op.f('pk_opportunities')),
    schema='metrics'
    )
    op.create_table('passed_over',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('stage', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'opportunity_id', 'employee_id', name=op.f('pk_passed_over')),
    schema='metrics'
    )
    op.create_table('plans',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('goals_total', sa.Integer(), nullable=True),
    sa.Column('goals_achieved', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'plan_id', name=op.f('pk_plans')),
    schema='metrics'
    )
    op.create_table('readiness',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('identified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('readiness', sa.Float(), nullable=False),
    sa.Column('ready', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', 'role_id', 'identified_at', name=op.f('pk_readiness')),
    schema='metrics'
    )
    op.create_table('roles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Text(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('level_id', sa.Text(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('track_ids', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_roles')),
    schema='metrics'
    )
    op.create_table('snapshots',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'day', name=op.f('pk_snapshots')),
    schema='metrics'
    )
    op.create_table('survey_answers',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('response_id', sa.Text(), nullable=False),
    sa.Column('question_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'response_id', 'question_id', name=op.f('pk_survey_answers')),
    schema='metrics'
    )


def downgrade() -> None:
    op.drop_table('survey_answers', schema='metrics')
    op.drop_table('snapshots', schema='metrics')
    op.drop_table('roles', schema='metrics')
    op.drop_table('readiness', schema='metrics')
    op.drop_table('plans', schema='metrics')
    op.drop_table('passed_over', schema='metrics')
    op.drop_table('opportunities', schema='metrics')
    op.drop_table('goals', schema='metrics')
    op.drop_table('gap_observations', schema='metrics')
    op.drop_index('ix_employees_manager', table_name='employees', schema='metrics')
    op.drop_table('employees', schema='metrics')
    op.drop_table('conversations', schema='metrics')
    op.drop_table('applications', schema='metrics')
