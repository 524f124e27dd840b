"""catalogue entries a tenant retired

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:18:39.404626
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retired_entries',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.Text(), nullable=False, comment="the tenant's own or a seeded entry"),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'entry_id', name=op.f('pk_retired_entries')),
    schema='plans',
    comment='Catalogue entries a tenant retired: no longer suggested; plans that use them keep them'
    )


def downgrade() -> None:
    op.drop_table('retired_entries', schema='plans')
