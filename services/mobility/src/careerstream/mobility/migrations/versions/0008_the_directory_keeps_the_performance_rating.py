"""the directory keeps the performance rating (the talent grid)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('employees', sa.Column('performance', sa.Text(), nullable=True), schema='mobility')


def downgrade() -> None:
    op.drop_column('employees', 'performance', schema='mobility')
