"""Skills matrix latency for a 50,000-employee tenant with 30 competencies.

Loads the `assessments.levels` table of a fresh database (through the
service's migrations) with one row per employee and competency — 1.5 million
rows for the tenant under test, plus another tenant beside it — then times the
service's `skills_matrix` query for each grouping, next to a baseline measured
in the same run: a bare `count(*)` over the same tenant's rows.

    uv run python -m bench.skills_matrix --employees 50000 --competencies 30
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.assessments.adapters.orm import metadata
from careerstream.assessments.bootstrap import MIGRATIONS
from careerstream.assessments.service_layer.matrix import GroupBy, skills_matrix
from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.wiring import uow_factory


async def load(db: str, tenant: str, employees: int, competencies: int, seed: int) -> None:
    rnd = random.Random(seed)
    conn = await asyncpg.connect(db)
    try:
        comps = [f"competency-{i:02d}" for i in range(competencies)]
        managers = max(1, employees // 10)
        rows = []
        now = time.time()
        import datetime as dt

        stamp = dt.datetime.fromtimestamp(now, dt.UTC)
        for e in range(employees):
            dept = f"dept-{e % 200:03d}"
            family = f"family-{e % 10}"
            manager = f"M{e % managers:05d}"
            required_set = set(rnd.sample(comps, 5))
            for c in comps:
                level = rnd.randint(1, 5)
                required = rnd.randint(1, 5) if c in required_set else None
                rows.append(
                    (tenant, f"E{e:06d}", c, level, required, dept, family, manager, "asm", stamp)
                )
            if len(rows) >= 200_000:
                await conn.copy_records_to_table("levels", schema_name="assessments", records=rows)
                rows = []
        if rows:
            await conn.copy_records_to_table("levels", schema_name="assessments", records=rows)
        await conn.execute("ANALYZE assessments.levels")
    finally:
        await conn.close()


async def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def main(employees: int, competencies: int, runs: int, admin_url: str) -> None:
    async with fresh_database(admin_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(MIGRATIONS, url, "assessments")
        t0 = time.perf_counter()
        await load(db, "big", employees, competencies, seed=1)
        await load(db, "other", employees // 5, competencies, seed=2)
        print(
            f"loaded {employees * competencies:,} + {employees // 5 * competencies:,} rows in {time.perf_counter() - t0:.1f}s"
        )
        engine = create_async_engine(url)
        uow = uow_factory(make_sessionmaker(engine), metadata, "assessments")
        conn = await asyncpg.connect(db)

        async def baseline() -> None:
            await conn.fetchval("SELECT count(*) FROM assessments.levels WHERE tenant_id = 'big'")

        def matrix(group_by: GroupBy, ids: list[str] | None = None):  # type: ignore[no-untyped-def]
            async def run() -> None:
                async with uow() as u:
                    groups = await skills_matrix(u, "big", group_by, ids)
                    assert groups

            return run

        await timed(baseline, 2)  # warm the cache
        base = await timed(baseline, runs)
        print(f"{'baseline count(*)':<28} median {statistics.median(base):7.1f} ms")
        for label, fn in (
            ("tenant", matrix(GroupBy.TENANT)),
            ("department (200 groups)", matrix(GroupBy.DEPARTMENT)),
            ("family (10 groups)", matrix(GroupBy.FAMILY)),
            ("team (5,000 groups)", matrix(GroupBy.TEAM)),
            ("one team", matrix(GroupBy.TEAM, ["M00042"])),
            ("one department", matrix(GroupBy.DEPARTMENT, ["dept-007"])),
        ):
            await timed(fn, 1)
            ms = await timed(fn, runs)
            med = statistics.median(ms)
            print(
                f"{label:<28} median {med:7.1f} ms  max {max(ms):7.1f} ms  "
                f"x{med / statistics.median(base):.2f} of baseline"
            )
        await conn.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--competencies", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(args.employees, args.competencies, args.runs, ep.admin_database_url))
