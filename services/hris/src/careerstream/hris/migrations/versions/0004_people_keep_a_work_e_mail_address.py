"""people keep a work e-mail address

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:07:07.345468
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('people', sa.Column('work_email', sa.Text(), nullable=True), schema='hris')


def downgrade() -> None:
    op.drop_column('people', 'work_email', schema='hris')
