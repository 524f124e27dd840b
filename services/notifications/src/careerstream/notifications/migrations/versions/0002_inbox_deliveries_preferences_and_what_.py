"""inbox, deliveries, preferences and what the timed rules need

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 12:12:33.061081
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
    sa.Column('status', sa.Text(), nullable=False, comment='open | shortlisted | withdrawn'),
    sa.PrimaryKeyConstraint('tenant_id', 'application_id', name=op.f('pk_applications')),
    schema='notifications'
    )
    op.create_index('ix_applications_employee', 'applications', ['tenant_id', 'employee_id'], unique=False, schema='notifications')
    op.create_index('ix_applications_opportunity', 'applications', ['tenant_id', 'opportunity_id'], unique=False, schema='notifications')
    op.create_table('assessments',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('cycle_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('reminded', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'assessment_id', name=op.f('pk_assessments')),
    schema='notifications'
    )
    op.create_index('ix_assessments_due', 'assessments', ['completed', 'reminded', 'deadline'], unique=False, schema='notifications')
    op.create_index('ix_assessments_employee', 'assessments', ['tenant_id', 'employee_id'], unique=False, schema='notifications')
    op.create_table('employees',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('work_email', sa.Text(), nullable=True),
    sa.Column('role_id', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_voluntarily', sa.Boolean(), nullable=True),
    sa.Column('field_times', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_employees')),
    schema='notifications'
    )
    op.create_index('ix_employees_manager', 'employees', ['tenant_id', 'manager_id'], unique=False, schema='notifications')
    op.create_table('erasures',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('erasure_id', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'erasure_id', name=op.f('pk_erasures')),
    schema='notifications'
    )
    op.create_table('notifications',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('recipient_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('trigger_key', sa.Text(), nullable=False, comment='what decided it, e.g. an event'),
    sa.Column('about_id', sa.Text(), nullable=True, comment='the person it is about, when not the recipient'),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('tenant_id', 'recipient_id', 'kind', 'trigger_key', name='ux_notifications_once'),
    schema='notifications'
    )
    op.create_index('ix_notifications_about', 'notifications', ['tenant_id', 'about_id'], unique=False, schema='notifications')
    op.create_index('ix_notifications_inbox', 'notifications', ['tenant_id', 'recipient_id', 'created_at'], unique=False, schema='notifications')
    op.create_table('opportunities',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True, comment='NULL while open; filled | closed'),
    sa.Column('selected_id', sa.Text(), nullable=True, comment='who was selected (internal fill)'),
    sa.PrimaryKeyConstraint('tenant_id', 'opportunity_id', name=op.f('pk_opportunities')),
    schema='notifications'
    )
    op.create_table('plans',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('plan_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False, comment='draft | active | completed'),
    sa.Column('last_touch', sa.DateTime(timezone=True), nullable=False, comment='approval or the latest check-in'),
    sa.Column('overdue_told', sa.DateTime(timezone=True), nullable=True, comment='last_touch when an overdue check-in was told'),
    sa.PrimaryKeyConstraint('tenant_id', 'plan_id', name=op.f('pk_plans')),
    schema='notifications'
    )
    op.create_index('ix_plans_active', 'plans', ['status', 'last_touch'], unique=False, schema='notifications')
    op.create_index('ix_plans_employee', 'plans', ['tenant_id', 'employee_id'], unique=False, schema='notifications')
    op.create_table('preferences',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('channels', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('digest', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('time_zone', sa.Text(), nullable=True),
    sa.Column('quiet_start', sa.Integer(), nullable=True),
    sa.Column('quiet_end', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_preferences')),
    schema='notifications'
    )
    op.create_table('raters',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.Text(), nullable=False),
    sa.Column('rater_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False, comment='self | manager | peer'),
    sa.Column('submitted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'assessment_id', 'rater_id', name=op.f('pk_raters')),
    schema='notifications'
    )
    op.create_index('ix_raters_rater', 'raters', ['tenant_id', 'rater_id'], unique=False, schema='notifications')
    op.create_table('settings',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('chat_webhook_url', sa.Text(), nullable=True),
    sa.Column('chat_webhook_secret', sa.Text(), nullable=True),
    sa.Column('time_zone', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_settings')),
    schema='notifications'
    )
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('notification_id', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('recipient_id', sa.Text(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False, comment='email | chat'),
    sa.Column('status', sa.Text(), nullable=False, comment='pending | sending | sent | dead | suppressed (left, erased or opted out)'),
    sa.Column('digest', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.notifications.id'], name=op.f('fk_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('notification_id', 'channel', name='ux_deliveries_once'),
    schema='notifications'
    )
    op.create_index('ix_deliveries_due', 'deliveries', ['status', 'next_attempt_at'], unique=False, schema='notifications')
    op.create_index('ix_deliveries_recipient', 'deliveries', ['tenant_id', 'recipient_id'], unique=False, schema='notifications')


def downgrade() -> None:
    op.drop_index('ix_deliveries_recipient', table_name='deliveries', schema='notifications')
    op.drop_index('ix_deliveries_due', table_name='deliveries', schema='notifications')
    op.drop_table('deliveries', schema='notifications')
    op.drop_table('settings', schema='notifications')
    op.drop_index('ix_raters_rater', table_name='raters', schema='notifications')
    op.drop_table('raters', schema='notifications')
    op.drop_table('preferences', schema='notifications')
    op.drop_index('ix_plans_employee', table_name='plans', schema='notifications')
    op.drop_index('ix_plans_active', table_name='plans', schema='notifications')
    op.drop_table('plans', schema='notifications')
    op.drop_table('opportunities', schema='notifications')
    op.drop_index('ix_notifications_inbox', table_name='notifications', schema='notifications')
    op.drop_index('ix_notifications_about', table_name='notifications', schema='notifications')
    op.drop_table('notifications', schema='notifications')
    op.drop_table('erasures', schema='notifications')
    op.drop_index('ix_employees_manager', table_name='employees', schema='notifications')
    op.drop_table('employees', schema='notifications')
    op.drop_index('ix_assessments_employee', table_name='assessments', schema='notifications')
    op.drop_index('ix_assessments_due', table_name='assessments', schema='notifications')
    op.drop_table('assessments', schema='notifications')
    op.drop_index('ix_applications_opportunity', table_name='applications', schema='notifications')
    op.drop_index('ix_applications_employee', table_name='applications', schema='notifications')
    op.drop_table('applications', schema='notifications')
