"""succession: critical roles, nominations and benches

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:43:13.071879
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('benches',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='the bench last published'),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_benches')),
    schema='mobility'
    )
    op.create_table('critical_roles',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('marked_by', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_critical_roles')),
    schema='mobility'
    )
    op.create_table('nominations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('readiness', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False, comment='free text: never in events'),
    sa.Column('nominated_by', sa.Text(), nullable=False),
    sa.Column('nominated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', 'employee_id', name=op.f('pk_nominations')),
    schema='mobility'
    )
    op.create_index('ix_nominations_employee', 'nominations', ['tenant_id', 'employee_id'], unique=False, schema='mobility')


def downgrade() -> None:
    op.drop_index('ix_nominations_employee', table_name='nominations', schema='mobility')
    op.drop_table('nominations', schema='mobility')
    op.drop_table('critical_roles', schema='mobility')
    op.drop_table('benches', schema='mobility')
