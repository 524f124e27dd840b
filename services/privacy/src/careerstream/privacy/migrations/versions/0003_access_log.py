"""access log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:19:03.196217
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
    op.create_table('access_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('subject_id', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Text(), nullable=False),
    sa.Column('actor_roles', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('route', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')),
    schema='privacy'
    )
    op.create_index('ix_access_log_at', 'access_log', ['at'], unique=False, schema='privacy')
    op.create_index('ix_access_log_subject', 'access_log', ['tenant_id', 'subject_id', 'at'], unique=False, schema='privacy')


def downgrade() -> None:
    op.drop_index('ix_access_log_subject', table_name='access_log', schema='privacy')
    op.drop_index('ix_access_log_at', table_name='access_log', schema='privacy')
    op.drop_table('access_log', schema='privacy')
