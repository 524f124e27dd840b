"""Every statement a service runs is planned for its own parameters, never from a generic plan
cached while a table was small.

The fault this guards against: a people directory fed by an onboarding grows from nothing
to tens of thousands of rows before autovacuum analyses it; the batch statement that locks
the batch's rows (`employee_id = ANY($ids)`) had a generic plan chosen at a few hundred rows,
a sequential scan comparing every row with every id, and took a quarter of a second per
batch at 30,000 rows (and more as the table grew), pushing the HRIS-to-metrics latency to a
second (bench/RESULTS.md, issue 20).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careerstream.contracts.envelope import make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.servicekit.db import make_engine, make_sessionmaker, service_metadata
from careerstream.servicekit.people import PeopleProjection, people_table
from careerstream.servicekit.runtime_tables import install_runtime_tables
from careerstream.servicekit.settings import ServiceSettings
from careerstream.servicekit.wiring import uow_factory

pytestmark = [pytest.mark.postgres]


def _hire(i: int) -> EmployeeHired:
    return EmployeeHired(
        employee_id=f"E{i:06d}",
        effective_date=date(2026, 1, 1),
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        details=EmploymentDetails(department_id="D1"),
    )


async def test_a_growing_directory_is_never_read_through_a_generic_plan(
    database_url: str,
) -> None:
    settings = ServiceSettings(service_name="plans_test", database_url=database_url, db_pool_size=1)
    engine = make_engine(settings)
    md = service_metadata("plans_test")
    table = people_table(md)
    async with engine.begin() as conn:
        await conn.run_sync(install_runtime_tables, "plans_test")
        await conn.run_sync(md.create_all)
    uow = uow_factory(make_sessionmaker(engine), md, "plans_test")
    handle = PeopleProjection(table).batch_handlers()[EmployeeHired]
    try:
        # A dozen small batches while the table is nearly empty (PostgreSQL considers a
        # generic plan from the sixth execution of a prepared statement on), then it grows.
        n = 0
        for size in [5] * 12 + [2000] * 3:
            events = [
                (make_event(_hire(i), tenant_id="acme", source="/careerstream/test"), _hire(i))
                for i in range(n, n + size)
            ]
            n += size
            async with uow() as u:
                await handle(u, events)
                await u.commit()
        async with engine.connect() as conn:  # the pool's one connection: the same session
            assert await conn.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"
            plans = (
                await conn.execute(
                    sa.text(
                        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
                        "WHERE statement LIKE '%plans_test.employees%' "
                        "AND statement LIKE '%$1%' "  # a statement without parameters has one plan anyway
                        "AND statement NOT LIKE '%pg_prepared_statements%'"
                    )
                )
            ).all()
        assert plans, "the directory's statements were prepared on this connection"
        locking = [p for p in plans if "FOR UPDATE" in p.statement]
        assert locking, plans
        assert locking[0].custom_plans >= 15, plans
        assert [(p.statement[:80], p.generic_plans) for p in plans if p.generic_plans] == []
    finally:
        await engine.dispose()
