"""The people directory applied a batch at a time ends exactly where one event at a time ends."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import make_event
from careerstream.contracts.events.hris import (
    EmployeeChanged,
    EmployeeHired,
    EmployeeTerminated,
    EmploymentDetails,
)
from careerstream.servicekit.db import make_sessionmaker, service_metadata
from careerstream.servicekit.people import Change, PeopleProjection, people_table
from careerstream.servicekit.runtime_tables import install_runtime_tables
from careerstream.servicekit.wiring import uow_factory

pytestmark = [pytest.mark.postgres]


def _history(seed: int) -> list[EventPayload]:
    rnd = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out: list[EventPayload] = []
    for _ in range(200):
        emp = f"E{rnd.randrange(12)}"
        at = base + timedelta(minutes=rnd.randrange(10_000))  # recorded out of order
        kind = rnd.choice(["hired", "changed", "changed", "terminated"])
        if kind == "hired":
            out.append(
                EmployeeHired(
                    employee_id=emp,
                    effective_date=date(2026, 1, 1),
                    recorded_at=at,
                    details=EmploymentDetails(
                        department_id=rnd.choice("ABC"), manager_id=rnd.choice(["M1", "M2", None])
                    ),
                )
            )
        elif kind == "changed":
            out.append(
                EmployeeChanged(
                    employee_id=emp,
                    effective_date=date(2026, 2, 1),
                    recorded_at=at,
                    changed_fields=["department_id"],
                    details=EmploymentDetails(department_id=rnd.choice("ABCD")),
                )
            )
        else:
            out.append(
                EmployeeTerminated(
                    employee_id=emp,
                    effective_date=date(2026, 3, 1),
                    recorded_at=at,
                    voluntary=rnd.random() < 0.5,
                )
            )
    return out


async def _run(
    database_url: str,
    schema: str,
    batched: bool,
    history: list[EventPayload],
    seen: list[tuple[int, Change]] | None = None,
) -> list[tuple[object, ...]]:
    md = service_metadata(schema)
    table = people_table(md)
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    async with engine.begin() as conn:
        await conn.run_sync(install_runtime_tables, schema)
        await conn.run_sync(md.create_all)
    seen = [] if seen is None else seen
    batch_no = 0

    async def on_change(
        u: object, tenant: str, emp: str, changed: dict[str, object], before: object
    ) -> None:
        seen.append((batch_no, Change(tenant, emp, changed, before, False)))

    async def on_changes(u: object, changes: Sequence[Change]) -> None:
        seen.extend((batch_no, c) for c in changes)

    projection = PeopleProjection(
        table, on_change=on_change, on_changes=on_changes if batched else None
    )
    uow = uow_factory(make_sessionmaker(engine), md, schema)
    batch = projection.batch_handlers()
    try:
        i = 0
        while i < len(history):
            # Runs of one type, as the consumer hands them over.
            j = i
            while j < len(history) and type(history[j]) is type(history[i]):
                j += 1
            events = [
                (make_event(p, tenant_id="acme", source="/careerstream/test"), p)
                for p in history[i:j]
            ]
            batch_no += 1
            async with uow() as u:
                if batched:
                    await batch[type(history[i])](u, events)
                else:  # one event at a time, each a batch of one, through `on_change`
                    for e, p in events:
                        await batch[type(p)](u, [(e, p)])
                await u.commit()
            i = j
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(table).order_by(table.c.employee_id))
            return [tuple(r) for r in rows.all()]
    finally:
        await engine.dispose()


async def test_batches_equal_one_by_one(database_url: str) -> None:
    history = _history(3)
    by_one: list[tuple[int, Change]] = []
    by_batch: list[tuple[int, Change]] = []
    one = await _run(database_url, "one", False, history, by_one)
    many = await _run(database_url, "many", True, history, by_batch)
    assert one == many
    assert len(one) == 12
    # The same changes, in the same order, whichever way they were applied.
    assert [(c.employee_id, c.changed) for _, c in by_one] == [
        (c.employee_id, c.changed) for _, c in by_batch
    ]
    # `new` marks exactly the batch in which a person first appeared.
    first_batch: dict[str, int] = {}
    for n, c in by_batch:
        first_batch.setdefault(c.employee_id, n)
        assert c.new == (n == first_batch[c.employee_id]), (n, c)
