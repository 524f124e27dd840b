"""view results: each view's answer kept with the version of the facts it was computed at

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:20:00.000000

A view over a large tenant takes seconds to compute from the facts. The answer is kept
per question (view, filters, window, viewer) beside the version of the tenant's facts it
was computed at; the projections bump the version in the transaction that changes the
facts, so an answer at the current version is still exact (service_layer/views.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "facts_versions",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        schema="metrics",
        comment="how many transactions have changed a tenant's facts: a view computed at the "
        "current version is still exact (service_layer/views.py)",
    )
    op.create_table(
        "view_results",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("view", sa.Text, primary_key=True),
        sa.Column("params", sa.Text, primary_key=True),
        sa.Column("viewer_id", sa.Text),
        sa.Column("manager_id", sa.Text),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("computed_at", TS, nullable=False),
        sa.Column("compute_ms", sa.Float, nullable=False),
        sa.Column("read_at", TS, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        schema="metrics",
        comment="each view's latest answer per question, with the facts version it was computed at",
    )


def downgrade() -> None:
    op.drop_table("view_results", schema="metrics")
    op.drop_table("facts_versions", schema="metrics")
