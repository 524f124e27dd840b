"""Batches: one transaction, one inbox statement, batch handlers, order and duplicates."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import pytest
import sqlalchemy as sa
from harness import SCHEMA, build_uow, effects, hired, setup_schema  # type: ignore[import-not-found]

from careerstream.contracts.envelope import Envelope, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired
from careerstream.servicekit.consumer import EventConsumer, Record
from careerstream.servicekit.uow import COPY_THRESHOLD, UnitOfWork

pytestmark = [pytest.mark.postgres]
SRC = "/careerstream/test"


def _records(events: Sequence[Envelope], start: int = 0) -> list[Record]:
    return [Record("t", 0, start + i, e.key.encode(), encode(e)) for i, e in enumerate(events)]


async def _batch_handler(u: UnitOfWork, batch: Sequence[tuple[Envelope, EmployeeHired]]) -> None:
    if any(p.employee_id == "BOOM" for _, p in batch):
        raise RuntimeError("BOOM in the batch")
    await u.session.execute(
        sa.insert(effects),
        [
            {"event_id": e.id, "employee_id": p.employee_id, "seq": int(p.display_name or 0)}
            for e, p in batch
        ],
    )
    for e, p in batch:
        u.publish(p, tenant_id=e.tenantid, topic="t.out")


async def test_batch_applies_in_order_once_and_writes_the_outbox_with_copy(
    database_url: str,
) -> None:
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    consumer = EventConsumer("kit-batch", uow, {}, batch_handlers={EmployeeHired: _batch_handler})
    events = [
        make_event(hired(f"E{i}", i), tenant_id="acme", source=SRC)
        for i in range(COPY_THRESHOLD * 3)
    ]
    try:
        first = await consumer.process_batch(_records(events[:100]))
        assert first == ["applied"] * 100
        # A redelivery overlapping the first batch: the old ones are duplicates.
        again = await consumer.process_batch(_records(events[50:], start=50))
        assert again == ["duplicate"] * 50 + ["applied"] * (len(events) - 100)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(database_url)
    try:
        seqs = [
            r["seq"] for r in await conn.fetch(f"SELECT seq FROM {SCHEMA}.effects ORDER BY ctid")
        ]
        assert seqs == list(range(len(events)))
        out = await conn.fetch(
            f"SELECT topic, message_key, headers FROM {SCHEMA}.outbox ORDER BY id"
        )
        assert len(out) == len(events)
        assert [r["message_key"] for r in out] == [e.key for e in events]
        inbox = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.inbox")
        assert inbox == len(events)
    finally:
        await conn.close()


async def test_a_failing_batch_is_rolled_back_and_applied_one_by_one(database_url: str) -> None:
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    consumer = EventConsumer(
        "kit-batch-fail",
        uow,
        {},
        batch_handlers={EmployeeHired: _batch_handler},
        max_attempts=1,
        backoff_base=0.01,
    )
    events = [make_event(hired(f"E{i}", i), tenant_id="acme", source=SRC) for i in range(60)]
    events[30] = make_event(hired("BOOM", 30), tenant_id="acme", source=SRC)
    try:
        outcomes = await consumer.process_batch(_records(events))
    finally:
        await engine.dispose()
    assert outcomes.count("applied") == 59
    assert outcomes[30] == "dead-lettered"
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.effects") == 59
        # 59 events out, and the dead letter (through the outbox too).
        topics = [r["topic"] for r in await conn.fetch(f"SELECT topic FROM {SCHEMA}.outbox")]
        assert topics.count("t.out") == 59
        assert topics.count("t.dlq") == 1
    finally:
        await conn.close()


def test_a_type_cannot_have_both_kinds_of_handler() -> None:
    async def single(u: UnitOfWork, e: Envelope, p: EmployeeHired) -> None:
        pass

    with pytest.raises(ValueError, match=r"employee\.hired"):
        EventConsumer(
            "x",
            UnitOfWork,  # type: ignore[arg-type]  # never called
            {EmployeeHired: single},
            batch_handlers={EmployeeHired: _batch_handler},
        )
