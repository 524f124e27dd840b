"""The matrix cells the triggers keep equal a fresh aggregation of `levels`, whatever happens to it."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import asyncpg
import pytest

from careerstream.assessments.bootstrap import MIGRATIONS
from careerstream.servicekit.migrations import upgrade_to_head

pytestmark = [pytest.mark.postgres]

FRESH = """
SELECT tenant_id, d.dim, d.grp, competency_id, level, count(*)::int,
       coalesce(sum(greatest(required - level, 0)) FILTER (WHERE required IS NOT NULL), 0)::int,
       count(*) FILTER (WHERE required IS NOT NULL)::int
  FROM assessments.levels r
 CROSS JOIN LATERAL (VALUES ('tenant', ''), ('department', coalesce(r.department_id, '')),
                            ('family', coalesce(r.family_id, '')), ('team', coalesce(r.manager_id, ''))) d(dim, grp)
 GROUP BY 1, 2, 3, 4, 5
"""
CELLS = """
SELECT tenant_id, dim, group_id, competency_id, level, n, gap_sum, n_required
  FROM assessments.matrix_cells WHERE n <> 0
"""


async def test_cells_follow_inserts_updates_and_deletes(database_url: str) -> None:
    await upgrade_to_head(
        MIGRATIONS, database_url.replace("postgresql://", "postgresql+asyncpg://", 1), "assessments"
    )
    rnd = random.Random(7)
    conn = await asyncpg.connect(database_url)
    now = datetime.now(UTC)
    try:
        rows = [
            (
                rnd.choice(["a", "b"]),
                f"E{e}",
                f"c{c}",
                rnd.randint(1, 5),
                rnd.choice([None, 2, 3, 4]),
                rnd.choice(["D1", "D2", None]),
                rnd.choice(["F1", "F2"]),
                rnd.choice(["M1", "M2", None]),
                "asm",
                now,
            )
            for e in range(60)
            for c in range(4)
        ]
        await conn.copy_records_to_table("levels", schema_name="assessments", records=rows)
        for _ in range(20):
            op = rnd.choice(["move", "level", "required", "delete", "upsert"])
            emp = f"E{rnd.randrange(60)}"
            if op == "move":
                await conn.execute(
                    "UPDATE assessments.levels SET department_id = $1, manager_id = $2 WHERE employee_id = $3",
                    rnd.choice(["D1", "D3"]),
                    rnd.choice(["M1", "M3"]),
                    emp,
                )
            elif op == "level":
                await conn.execute(
                    "UPDATE assessments.levels SET level = $1 WHERE employee_id = $2",
                    rnd.randint(1, 5),
                    emp,
                )
            elif op == "required":
                await conn.execute(
                    "UPDATE assessments.levels SET required = NULL WHERE family_id = 'F1'"
                )
            elif op == "delete":
                await conn.execute("DELETE FROM assessments.levels WHERE employee_id = $1", emp)
            else:
                await conn.execute(
                    """INSERT INTO assessments.levels (tenant_id, employee_id, competency_id, level, required,
                           department_id, family_id, manager_id, assessment_id, assessed_at)
                       VALUES ('a', $1, 'c9', 3, 4, 'D1', 'F2', 'M1', 'asm', now())
                       ON CONFLICT (tenant_id, employee_id, competency_id) DO UPDATE SET level = 2""",
                    emp,
                )
            assert sorted(map(tuple, await conn.fetch(CELLS))) == sorted(
                map(tuple, await conn.fetch(FRESH))
            )
    finally:
        await conn.close()
