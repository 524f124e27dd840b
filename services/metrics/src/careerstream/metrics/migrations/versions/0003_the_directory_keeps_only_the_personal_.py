"""the directory keeps only the personal columns it uses

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:25:00.812554
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_column('employees', 'display_name', schema='metrics')
    op.drop_column('employees', 'location', schema='metrics')


def downgrade() -> None:
    op.add_column('employees', sa.Column('location', sa.TEXT(), autoincrement=False, nullable=True), schema='metrics')
    op.add_column('employees', sa.Column('display_name', sa.TEXT(), autoincrement=False, nullable=True), schema='metrics')
