"""the directory keeps only the personal columns it uses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:24:58.000604
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_column('employees', 'location', schema='mobility')
    op.drop_column('employees', 'group_attributes', schema='mobility')
    op.drop_column('employees', 'display_name', schema='mobility')


def downgrade() -> None:
    op.add_column('employees', sa.Column('display_name', sa.TEXT(), autoincrement=False, nullable=True), schema='mobility')
    op.add_column('employees', sa.Column('group_attributes', postgresql.JSONB(astext_type=sa.Text()), autoincrement=False, nullable=True), schema='mobility')
    op.add_column('employees', sa.Column('location', sa.TEXT(), autoincrement=False, nullable=True), schema='mobility')
