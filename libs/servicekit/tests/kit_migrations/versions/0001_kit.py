"""kit: runtime tables and the effects table

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from careerstream.servicekit.runtime_tables import create_runtime_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_runtime_tables("kit")
    op.create_table(
        "effects",
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("employee_id", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        schema="kit",
    )


def downgrade() -> None:
    op.drop_table("effects", schema="kit")
