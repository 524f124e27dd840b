"""succession: critical roles, nominations and benches

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:43:16.102163
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('benches',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Text(), nullable=False),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('ready_now', sa.Integer(), nullable=False),
    sa.Column('ready_soon', sa.Integer(), nullable=False),
    sa.Column('later', sa.Integer(), nullable=False),
    sa.Column('nominated', sa.Integer(), nullable=False),
    sa.Column('incumbents', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'role_id', name=op.f('pk_benches')),
    schema='metrics',
    comment="each critical role's latest bench (bench.changed): counts, no people"
    )


def downgrade() -> None:
    op.drop_table('benches', schema='metrics')
