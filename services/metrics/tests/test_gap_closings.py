"""Gap closings: the rule, the projection that keeps them, and the migration that filled them from
the observations recorded before it (the time-to-close figure reads only these)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from alembic import command

from careerstream.devstack.testing import fresh_database
from careerstream.metrics.bootstrap import MIGRATIONS
from careerstream.metrics.domain.definitions import gap_closings
from careerstream.servicekit.migrations import alembic_config, upgrade_to_head


def t(day: int) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=day)


def test_a_gap_opens_at_a_positive_gap_and_closes_at_the_next_observation_without_one() -> None:
    assert gap_closings([(t(0), 2), (t(30), 1), (t(90), 0)]) == [(t(0), t(90))]
    # Open again, close again; zero before the first opening closes nothing.
    assert gap_closings([(t(0), 0), (t(10), 1), (t(20), 0), (t(40), 3), (t(50), -1)]) == [
        (t(10), t(20)),
        (t(40), t(50)),
    ]
    assert gap_closings([(t(0), 1), (t(10), 2)]) == []  # still open
    # Read in time order, whatever order they arrived in.
    assert gap_closings([(t(90), 0), (t(0), 2)]) == [(t(0), t(90))]


@pytest.mark.postgres
async def test_the_migration_fills_the_closings_as_the_rule_counts_them(
    admin_database_url: str,
) -> None:
    rnd = random.Random(7)
    series: dict[tuple[str, str, str], list[tuple[datetime, int]]] = {}
    for i in range(60):
        key = (rnd.choice(["a", "b"]), f"E{i % 20}", f"c{i % 3}")
        days = sorted(rnd.sample(range(400), rnd.randint(1, 8)))
        series.setdefault(key, []).extend(
            (t(d) + timedelta(hours=rnd.randint(0, 23)), rnd.randint(-1, 3)) for d in days
        )
    async with fresh_database(admin_database_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        cfg = alembic_config(MIGRATIONS, url, "metrics")
        await asyncio.to_thread(command.upgrade, cfg, "0007")
        conn = await asyncpg.connect(db)
        try:
            rows = {
                (tenant, emp, comp, at): gap
                for (tenant, emp, comp), obs in series.items()
                for at, gap in obs
            }
            await conn.executemany(
                "INSERT INTO metrics.gap_observations (tenant_id, employee_id, reference,"
                " competency_id, identified_at, role_id, required, current, gap)"
                " VALUES ($1, $2, $3, $4, $5, 'r', 3, $6, $7)",
                [
                    (tenant, emp, "current", comp, at, 3 - g, g)
                    for (tenant, emp, comp, at), g in rows.items()
                ]
                # A target-role series with the same keys does not count.
                + [
                    (tenant, emp, "target", comp, at, 0, 3)
                    for (tenant, emp, comp, at) in list(rows)[:10]
                ],
            )
            await upgrade_to_head(MIGRATIONS, url, "metrics")
            got = sorted(
                (
                    r["tenant_id"],
                    r["employee_id"],
                    r["competency_id"],
                    r["opened_at"],
                    r["closed_at"],
                    round(r["days"], 6),
                )
                for r in await conn.fetch("SELECT * FROM metrics.gap_closings")
            )
        finally:
            await conn.close()
    by_key: dict[tuple[str, str, str], list[tuple[datetime, int]]] = {}
    for (tenant, emp, comp, at), g in rows.items():
        by_key.setdefault((tenant, emp, comp), []).append((at, g))
    want = sorted(
        (*key, opened, closed, round((closed - opened) / timedelta(days=1), 6))
        for key, obs in by_key.items()
        for opened, closed in gap_closings(obs)
    )
    assert want, "the random series close some gaps"
    assert got == want
