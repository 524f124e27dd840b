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


async def test_a_department_counts_its_whole_subtree(database_url: str) -> None:
    """By department, the matrix of a unit adds up the cells of every unit below it; a unit
    outside the tree is itself only; no tenant's tree reaches another's."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from careerstream.assessments.adapters.orm import metadata
    from careerstream.assessments.service_layer.matrix import GroupBy, skills_matrix
    from careerstream.servicekit.db import make_sessionmaker
    from careerstream.servicekit.wiring import uow_factory

    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    await upgrade_to_head(MIGRATIONS, url, "assessments")
    tenant = "tree-matrix"
    conn = await asyncpg.connect(database_url)
    engine = create_async_engine(url)
    now = datetime.now(UTC)
    # ROOT > ENG > PLAT; ROOT > SALES; LOOSE is in no tree.
    tree = {"ENG": "ROOT", "PLAT": "ENG", "SALES": "ROOT", "ROOT": None}
    people = {"E1": "ENG", "E2": "PLAT", "E3": "PLAT", "S1": "SALES", "L1": "LOOSE"}
    levels = {"E1": 2, "E2": 3, "E3": 4, "S1": 1, "L1": 5}
    try:
        await conn.executemany(
            "INSERT INTO assessments.org_units (tenant_id, orgunit_id, name, parent_id, active,"
            " recorded_at) VALUES ($1, $2, $2, $3, true, now())",
            [(tenant, u, p) for u, p in tree.items()] + [("other", "X", "ENG")],
        )
        await conn.executemany(
            """INSERT INTO assessments.levels (tenant_id, employee_id, competency_id, level,
                   required, department_id, family_id, manager_id, assessment_id, assessed_at)
               VALUES ($1, $2, 'c1', $3, 4, $4, 'F', 'M', 'asm', $5)""",
            [(tenant, e, levels[e], d, now) for e, d in people.items()]
            + [("other", "X1", 1, "X", now)],
        )
        uow = uow_factory(make_sessionmaker(engine), metadata, "assessments")
        async with uow() as u:
            every = await skills_matrix(u, tenant, GroupBy.DEPARTMENT)
            some = await skills_matrix(u, tenant, GroupBy.DEPARTMENT, ["ENG", "LOOSE"])
        seen = {g: (c["c1"].n, c["c1"].distribution, c["c1"].gap_sum) for g, c in every.items()}
        assert seen == {
            "ROOT": (4, {1: 1, 2: 1, 3: 1, 4: 1}, 3 + 2 + 1 + 0),
            "ENG": (3, {2: 1, 3: 1, 4: 1}, 2 + 1 + 0),
            "PLAT": (2, {3: 1, 4: 1}, 1 + 0),
            "SALES": (1, {1: 1}, 3),
            "LOOSE": (1, {5: 1}, 0),
        }
        assert {g: seen[g] for g in some} == {"ENG": seen["ENG"], "LOOSE": seen["LOOSE"]}
    finally:
        await conn.close()
        await engine.dispose()
