"""gateway: sources, deliveries, job mappings, people, scheduled, imports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:46:14.330637
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
    op.create_table('deliveries',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('vendor', sa.Text(), nullable=False),
    sa.Column('delivery_id', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'vendor', 'delivery_id', name=op.f('pk_deliveries')),
    schema='hris'
    )
    op.create_table('imports',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('import_id', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('rows', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True, comment='the lease of the replica running it'),
    sa.PrimaryKeyConstraint('tenant_id', 'import_id', name=op.f('pk_imports')),
    schema='hris'
    )
    op.create_table('job_mappings',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('job_code', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'job_code', name=op.f('pk_job_mappings')),
    schema='hris'
    )
    op.create_table('people',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('job_code', sa.Text(), nullable=True),
    sa.Column('job_title', sa.Text(), nullable=True),
    sa.Column('manager_id', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Text(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('groups', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_people')),
    schema='hris'
    )
    op.create_table('scheduled',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('notification', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled')),
    schema='hris'
    )
    op.create_index('ix_scheduled_due', 'scheduled', ['due'], unique=False, schema='hris')
    op.create_table('sources',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('vendor', sa.Text(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'vendor', name=op.f('pk_sources')),
    schema='hris'
    )


def downgrade() -> None:
    op.drop_table('sources', schema='hris')
    op.drop_index('ix_scheduled_due', table_name='scheduled', schema='hris')
    op.drop_table('scheduled', schema='hris')
    op.drop_table('people', schema='hris')
    op.drop_table('job_mappings', schema='hris')
    op.drop_table('imports', schema='hris')
    op.drop_table('deliveries', schema='hris')
