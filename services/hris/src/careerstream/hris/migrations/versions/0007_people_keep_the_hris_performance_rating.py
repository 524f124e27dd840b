"""people keep the HRIS's performance rating

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'people',
        sa.Column(
            'performance',
            sa.Text(),
            nullable=True,
            comment="low, medium or high: the HRIS's latest rating",
        ),
        schema='hris',
    )


def downgrade() -> None:
    op.drop_column('people', 'performance', schema='hris')
