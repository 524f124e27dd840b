"""Erasure is final: what arrives about a person after their erasure is erased on arrival.

Events about a person can reach a service after it erased them: a consumer group that
lags behind the erasure consumer, a redelivery, or a projection rebuilt from the topics
(which reads the erasure request somewhere in the middle). Whatever the order, the
service ends as if the person's events had all arrived before the erasure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeChanged, EmployeeHired, EmploymentDetails
from careerstream.servicekit.consumer import EventConsumer, Record
from careerstream.servicekit.db import make_sessionmaker, service_metadata
from careerstream.servicekit.erasure import ErasureGuard, Pseudonymise, Rule, people_rules
from careerstream.servicekit.people import PeopleProjection, people_table
from careerstream.servicekit.runtime_tables import install_runtime_tables
from careerstream.servicekit.wiring import uow_factory

pytestmark = [pytest.mark.postgres]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
ERASE = "ERASE"


def hired(emp: str, minute: int, manager: str | None = None) -> EmployeeHired:
    return EmployeeHired(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=T0 + timedelta(minutes=minute),
        details=EmploymentDetails(
            manager_id=manager, department_id="D1", group_attributes={"gender": "f"}
        ),
    )


def moved(emp: str, minute: int, department: str) -> EmployeeChanged:
    return EmployeeChanged(
        employee_id=emp,
        effective_date=date(2026, 2, 1),
        recorded_at=T0 + timedelta(minutes=minute),
        changed_fields=["department_id"],
        details=EmploymentDetails(department_id=department),
    )


HISTORY: list[EventPayload] = [
    hired("M", 1),
    hired(ERASE, 2, manager="M"),
    hired("R1", 3, manager=ERASE),  # a report of the erased person
    moved(ERASE, 4, "D2"),
    hired("R2", 5, manager=ERASE),
]
KEEP_FACTS: list[Rule] = [
    Pseudonymise("employees", "manager_id"),
    Pseudonymise("employees", "employee_id", clear=("group_attributes",)),
]


async def _directory(
    database_url: str,
    schema: str,
    rules: Sequence[Rule],
    keep_facts: bool,
    before: int,
    *,
    batched: bool,
) -> list[dict[str, Any]]:
    """Apply HISTORY with the erasure arriving after its first `before` events."""
    md = service_metadata(schema)
    table = people_table(md, personal=("group_attributes",))
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    async with engine.begin() as conn:
        await conn.run_sync(install_runtime_tables, schema)
        await conn.run_sync(md.create_all)
    uow = uow_factory(make_sessionmaker(engine), md, schema)
    guard = ErasureGuard("kit", schema, rules, keep_facts=keep_facts)
    consumer = guard.protect(
        EventConsumer(
            f"kit-{schema}", uow, {}, batch_handlers=PeopleProjection(table).batch_handlers()
        )
    )
    events = [make_event(p, tenant_id="acme", source="/careerstream/test") for p in HISTORY]
    records = [Record("t", 0, i, e.key.encode(), encode(e)) for i, e in enumerate(events)]

    async def apply(part: list[Record]) -> None:
        if batched:
            await consumer.process_batch(part)
        else:
            for r in part:
                await consumer.process(r)

    try:
        await apply(records[:before])
        async with uow() as u:
            await guard.erase(u, "acme", ERASE)
            await u.commit()
        await apply(records[before:])
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            f"SELECT employee_id, manager_id, department_id, group_attributes, hired_on "
            f"FROM {schema}.employees ORDER BY employee_id"
        )
        erased = await conn.fetch(f"SELECT tenant_id, subject, alias FROM {schema}.erased")
    finally:
        await conn.close()
    assert len(erased) == 1
    assert ERASE.encode() not in bytes(erased[0]["subject"])
    alias = erased[0]["alias"]
    # The pseudonym differs between runs: compare with it named.
    named = [{k: ("<alias>" if v == alias else v) for k, v in dict(r).items()} for r in rows]
    return sorted(named, key=lambda r: str(r["employee_id"]))


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "one-by-one"])
async def test_a_service_that_forgets_never_learns_of_the_person_again(
    database_url: str, batched: bool
) -> None:
    results = [
        await _directory(database_url, f"f{n}", people_rules(), False, n, batched=batched)
        for n in range(len(HISTORY) + 1)
    ]
    for rows in results:
        assert ERASE not in {r["employee_id"] for r in rows}
        assert "<alias>" not in {r["employee_id"] for r in rows}  # their own row: gone
        # Their reports keep a manager, under the one pseudonym, whenever they were hired.
        assert {r["employee_id"]: r["manager_id"] for r in rows} == {
            "M": None,
            "R1": "<alias>",
            "R2": "<alias>",
        }
    assert all(rows == results[0] for rows in results)


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "one-by-one"])
async def test_a_service_that_keeps_facts_ends_the_same_whenever_the_erasure_came(
    database_url: str, batched: bool
) -> None:
    results = [
        await _directory(database_url, f"k{n}", KEEP_FACTS, True, n, batched=batched)
        for n in range(len(HISTORY) + 1)
    ]
    first = results[0]
    assert [r["employee_id"] for r in first] == ["<alias>", "M", "R1", "R2"]
    mine = first[0]
    # The person's facts are all there (the move to D2 too), without their attributes.
    assert mine["department_id"] == "D2"
    assert mine["manager_id"] == "M"
    assert mine["group_attributes"] is None
    assert mine["hired_on"] == date(2026, 1, 1)
    for n, rows in enumerate(results):
        assert rows == first, f"erasure after {n} events"
