"""An employee's recommendations with thousands of open opportunities (issue 18).

Loads a fresh mobility database (the service's migrations) with profiles and N open
opportunities (roles, projects and gigs, some on site elsewhere) as `bench.matching` does,
then measures in process, in the same run:

- the service's `recommendations` call (the caller's profile, the opportunities they may
  see, each one scored and explained, the best 10) for 40 employees, twice;
- the baseline: reading the same visible open opportunities alone (`list_visible`), which
  any way of recommending must at least do.

    uv run python -m bench.recommendations --opportunities 5000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from sqlalchemy.ext.asyncio import create_async_engine

from bench.matching import TENANT, load, p95
from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.mobility.adapters.orm import metadata
from careerstream.mobility.bootstrap import MIGRATIONS
from careerstream.mobility.service_layer import candidates as market
from careerstream.mobility.service_layer.opportunities import list_visible
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.wiring import uow_factory


async def main(opportunities: int, profiles: int, admin_url: str) -> None:
    async with fresh_database(admin_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(MIGRATIONS, url, "mobility")
        t0 = time.perf_counter()
        await load(db, profiles, 40, opportunities, seed=7)
        print(
            f"loaded {profiles:,} profiles and {opportunities:,} open opportunities "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        engine = create_async_engine(url)
        uow = uow_factory(make_sessionmaker(engine), metadata, "mobility")
        people = [f"E{i:06d}" for i in range(0, profiles, max(1, profiles // 40))][:40]

        async def recommend(emp: str) -> float:
            who = Principal(TENANT, emp, frozenset({Role.EMPLOYEE}))
            t = time.perf_counter()
            async with uow() as u:
                best = await market.recommendations(u, who, 10)
            assert len(best) == 10
            return (time.perf_counter() - t) * 1000

        async def baseline(emp: str) -> float:
            who = Principal(TENANT, emp, frozenset({Role.EMPLOYEE}))
            t = time.perf_counter()
            async with uow() as u:
                rows = await list_visible(u, who, "open")
            assert len(rows) == opportunities
            return (time.perf_counter() - t) * 1000

        await recommend(people[0])
        await baseline(people[0])
        ours: list[float] = []
        base: list[float] = []
        for emp in people + people:  # alternating, so a busy machine slows both alike
            base.append(await baseline(emp))
            ours.append(await recommend(emp))
        await engine.dispose()
        for name, values in (
            ("reading the visible opportunities", base),
            ("recommendations", ours),
        ):
            print(f"{name:<34} p50 {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms")
        print(
            f"recommendations / baseline: p50 {statistics.median(ours) / statistics.median(base):.2f}, "
            f"p95 {p95(ours) / p95(base):.2f} ({opportunities:,} opportunities, {len(ours)} calls)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=5000)
    parser.add_argument("--profiles", type=int, default=2000)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(args.opportunities, args.profiles, ep.admin_database_url))
