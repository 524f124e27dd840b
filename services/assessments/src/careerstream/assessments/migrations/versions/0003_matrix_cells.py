"""skills matrix cells, kept by triggers on levels

Every statement that inserts, updates or deletes `levels` rows adds its
difference to `matrix_cells` (per tenant, grouping, group, competency and
level), in the same transaction: the matrix is read from a few thousand cells
instead of aggregating every person's levels.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DELTA = """
    INSERT INTO assessments.matrix_cells AS c
           (tenant_id, dim, group_id, competency_id, level, n, gap_sum, n_required)
    SELECT r.tenant_id, d.dim, d.grp, r.competency_id, r.level,
           {sign} count(*),
           {sign} coalesce(sum(greatest(r.required - r.level, 0)) FILTER (WHERE r.required IS NOT NULL), 0),
           {sign} count(*) FILTER (WHERE r.required IS NOT NULL)
      FROM {rows} r
     CROSS JOIN LATERAL (VALUES ('tenant', ''),
                                ('department', coalesce(r.department_id, '')),
                                ('family', coalesce(r.family_id, '')),
                                ('team', coalesce(r.manager_id, ''))) AS d(dim, grp)
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, dim, group_id, competency_id, level) DO UPDATE
       SET n = c.n + excluded.n,
           gap_sum = c.gap_sum + excluded.gap_sum,
           n_required = c.n_required + excluded.n_required;
"""


def upgrade() -> None:
    op.create_table(
        "matrix_cells",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("dim", sa.Text(), nullable=False),
        sa.Column("group_id", sa.Text(), nullable=False),
        sa.Column("competency_id", sa.Text(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("gap_sum", sa.Integer(), nullable=False),
        sa.Column("n_required", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "dim", "group_id", "competency_id", "level", name=op.f("pk_matrix_cells")
        ),
        schema="assessments",
        comment="The skills matrix, rolled up from `levels` by statement triggers in the same transaction",
    )
    op.execute(
        "CREATE FUNCTION assessments.levels_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
        + _DELTA.format(sign="-", rows="old_rows")
        + "  END IF;\n"
        "  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n"
        + _DELTA.format(sign="", rows="new_rows")
        + "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER levels_rollup_insert AFTER INSERT ON assessments.levels "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assessments.levels_rollup()"
    )
    op.execute(
        "CREATE TRIGGER levels_rollup_update AFTER UPDATE ON assessments.levels "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION assessments.levels_rollup()"
    )
    op.execute(
        "CREATE TRIGGER levels_rollup_delete AFTER DELETE ON assessments.levels "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assessments.levels_rollup()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE assessments.matrix_cells")
    op.execute("DROP FUNCTION assessments.levels_rollup() CASCADE")
