"""gap closings: each gap's opening and closing, kept by the projection

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 06:05:00.000000

The time-to-close figure read every gap observation of the population and walked
each series per request; a large company's view took seconds. The closings are now
kept as observations arrive. This migration fills them from the observations
already recorded, with the same rule (`definitions.gap_closings`) in SQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
INSERT INTO metrics.gap_closings
    (tenant_id, employee_id, competency_id, closed_at, opened_at, days)
SELECT tenant_id, employee_id, competency_id, t, opened,
       extract(epoch FROM t - opened) / 86400
FROM (
    SELECT *, max(CASE WHEN open AND NOT coalesce(before, false) THEN t END)
               OVER (PARTITION BY tenant_id, employee_id, competency_id ORDER BY t) AS opened
    FROM (
        SELECT tenant_id, employee_id, competency_id, identified_at AS t, gap > 0 AS open,
               lag(gap > 0) OVER (PARTITION BY tenant_id, employee_id, competency_id
                                  ORDER BY identified_at) AS before
        FROM metrics.gap_observations
        WHERE reference = 'current'
    ) steps
) marked
WHERE NOT open AND before
"""


def upgrade() -> None:
    op.create_table(
        "gap_closings",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("competency_id", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("days", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "employee_id", "competency_id", "closed_at", name=op.f("pk_gap_closings")
        ),
        schema="metrics",
        comment="each gap against the current role from its opening to its closing, kept by the "
        "projection of gap observations (the time-to-close figure reads these, not the series)",
    )
    op.create_index(
        "ix_gap_closings_window",
        "gap_closings",
        ["tenant_id", "closed_at"],
        unique=False,
        schema="metrics",
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_gap_closings_window", table_name="gap_closings", schema="metrics")
    op.drop_table("gap_closings", schema="metrics")
