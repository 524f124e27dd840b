"""data keys, people, erasures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:33:05.966160
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
    op.create_table('data_keys',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('kid', sa.Text(), nullable=False),
    sa.Column('master_kid', sa.Text(), nullable=True),
    sa.Column('wrapped', sa.LargeBinary(), nullable=True, comment='NULL once destroyed by an erasure'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_data_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_data_keys_kid')),
    schema='privacy'
    )
    op.create_index('ix_data_keys_master', 'data_keys', ['master_kid'], unique=False, schema='privacy')
    op.create_table('erasure_answers',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('erasure_id', sa.Text(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('anonymised', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'erasure_id', 'service', name=op.f('pk_erasure_answers')),
    schema='privacy'
    )
    op.create_table('erasures',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('erasure_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('services', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.Text(), nullable=False, comment='in_progress | completed'),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('missing', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'erasure_id', name=op.f('pk_erasures')),
    schema='privacy'
    )
    op.create_index('ix_erasures_open', 'erasures', ['status', 'deadline'], unique=False, schema='privacy')
    op.create_index('ux_erasures_employee', 'erasures', ['tenant_id', 'employee_id'], unique=True, schema='privacy')
    op.create_table('people',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'employee_id', name=op.f('pk_people')),
    schema='privacy'
    )


def downgrade() -> None:
    op.drop_table('people', schema='privacy')
    op.drop_index('ux_erasures_employee', table_name='erasures', schema='privacy')
    op.drop_index('ix_erasures_open', table_name='erasures', schema='privacy')
    op.drop_table('erasures', schema='privacy')
    op.drop_table('erasure_answers', schema='privacy')
    op.drop_index('ix_data_keys_master', table_name='data_keys', schema='privacy')
    op.drop_table('data_keys', schema='privacy')
