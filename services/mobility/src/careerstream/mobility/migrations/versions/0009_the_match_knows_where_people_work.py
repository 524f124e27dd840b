"""the match knows where people work (the location factor)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('employees', sa.Column('location', sa.Text(), nullable=True), schema='mobility')
    op.add_column(
        'profiles',
        sa.Column(
            'location',
            sa.Text(),
            nullable=True,
            comment='where they work, from the HRIS (the location factor)',
        ),
        schema='mobility',
    )


def downgrade() -> None:
    op.drop_column('profiles', 'location', schema='mobility')
    op.drop_column('employees', 'location', schema='mobility')
