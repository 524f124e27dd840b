"""the seeded catalogue of development actions (for any competency)

`{competency}` in a title is replaced by the competency's name when suggested.
Tenants add their own entries (their courses, programmes, rotations) through
the API; those come before these generic ones.

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

SEED = [
    # entry_id, kind, title, min_level, max_level, effort_weeks
    ("seed-course-foundations", "course", "Foundations course: {competency}", 1, 2, 4),
    ("seed-course-advanced", "course", "Advanced course: {competency}", 3, 4, 6),
    ("seed-course-masterclass", "course", "Masterclass and external conference: {competency}", 4, 5, 2),
    ("seed-mentoring", "mentoring", "Mentoring by a colleague strong in {competency}", 2, 5, 12),
    ("seed-reverse-mentoring", "mentoring", "Mentor someone newer in {competency}", 3, 5, 12),
    ("seed-stretch", "stretch_assignment", "Stretch assignment that needs {competency} a level up", 2, 5, 8),
    ("seed-stretch-lead", "stretch_assignment", "Lead a piece of work end to end, owning its {competency}", 3, 5, 10),
    ("seed-project", "project", "Cross-functional project relying on your {competency}", 2, 5, 12),
    ("seed-rotation", "rotation", "Rotation into a team known for {competency}", 3, 5, 12),
    ("seed-shadowing", "mentoring", "Shadow someone at the target level in {competency}", 1, 3, 2),
]


def upgrade() -> None:
    table = sa.table(
        "catalogue",
        sa.column("tenant_id", sa.Text),
        sa.column("entry_id", sa.Text),
        sa.column("competency_id", sa.Text),
        sa.column("kind", sa.Text),
        sa.column("title", sa.Text),
        sa.column("min_level", sa.SmallInteger),
        sa.column("max_level", sa.SmallInteger),
        sa.column("effort_weeks", sa.SmallInteger),
        schema="plans",
    )
    op.bulk_insert(
        table,
        [
            {
                "tenant_id": "*",
                "entry_id": e,
                "competency_id": "*",
                "kind": k,
                "title": t,
                "min_level": lo,
                "max_level": hi,
                "effort_weeks": w,
            }
            for e, k, t, lo, hi, w in SEED
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM plans.catalogue WHERE tenant_id = '*'")
