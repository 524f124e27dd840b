"""A batch of sealed events: its keys are fetched while its inbox rows are claimed, and whatever
goes wrong with the keys leaves nothing half-applied (a real privacy service, real PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from harness import SCHEMA, build_uow, effects, hired, setup_schema  # type: ignore[import-not-found]

from careerstream.contracts.envelope import Envelope, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired
from careerstream.contracts.personal import SEALED_FIELD
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.servicekit.consumer import EventConsumer, Record
from careerstream.servicekit.keys import KeyClient, PrivacySettings
from careerstream.servicekit.sealing import seal
from careerstream.servicekit.uow import UnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
TENANT = "acme"


@pytest.fixture
async def privacy(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("privacy") as running:
        yield running


class Flaky(httpx.AsyncBaseTransport):
    """The privacy service, unreachable for its first `down` requests."""

    def __init__(self, app: object, down: int) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.down = down
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.refused < self.down:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def _keys(privacy: RunningService, service: str, down: int = 0) -> tuple[KeyClient, Flaky]:
    keys = KeyClient(PrivacySettings(url="http://privacy"), service=service)
    transport = Flaky(privacy.app, down)
    keys._http = httpx.AsyncClient(transport=transport, base_url="http://privacy")
    return keys, transport


async def _sealed(privacy: RunningService, people: Sequence[str]) -> list[Record]:
    """One sealed `employee.hired` per person, as a service's relay publishes it."""
    producer, _ = _keys(privacy, "hris")
    try:
        issued = await producer.for_subjects(TENANT, people)
    finally:
        await producer.close()
    records = []
    for n, emp in enumerate(people):
        event = json.loads(
            encode(make_event(hired(emp, n), tenant_id=TENANT, source="/careerstream/hris"))
        )
        assert seal(event, issued[emp])
        records.append(Record("t", 0, n, emp.encode(), json.dumps(event).encode()))
    return records


async def _record(u: UnitOfWork, batch: Sequence[tuple[Envelope, EmployeeHired]]) -> None:
    await u.session.execute(
        sa.insert(effects),
        [
            {"event_id": e.id, "employee_id": p.employee_id, "seq": int(p.display_name or 0)}
            for e, p in batch
        ],
    )


async def _state(database_url: str) -> tuple[list[tuple[str, int]], int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(f"SELECT employee_id, seq FROM {SCHEMA}.effects ORDER BY seq")
        inbox = await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.inbox")
    finally:
        await conn.close()
    return [(r["employee_id"], r["seq"]) for r in rows], inbox


async def test_a_tampered_value_is_dead_lettered_alone_and_the_rest_of_its_batch_applied_once(
    privacy: RunningService, database_url: str
) -> None:
    """The inbox rows are claimed before the keys arrive: a value that does not open then rolls
    the claim back, and each event is applied alone (the good ones once, not as duplicates)."""
    await setup_schema(database_url)
    records = await _sealed(privacy, ["E1", "E2", "E3", "E4"])
    tampered = json.loads(records[2].value or b"")
    other = json.loads(records[3].value or b"")
    tampered["data"][SEALED_FIELD] = other["data"][SEALED_FIELD]  # E4's name, in E3's event
    records[2] = Record("t", 0, 2, b"E3", json.dumps(tampered).encode())
    engine, uow = build_uow(database_url)
    keys, _ = _keys(privacy, "kit")
    consumer = EventConsumer(
        "kit-sealed", uow, {}, batch_handlers={EmployeeHired: _record}, keys=keys
    )
    try:
        assert await consumer.process_batch(records) == [
            "applied",
            "applied",
            "dead-lettered",
            "applied",
        ]
        # Delivered again: the good ones are duplicates, the tampered one is not sent twice.
        assert await consumer.process_batch(records) == [
            "duplicate",
            "duplicate",
            "dead-lettered",
            "duplicate",
        ]
    finally:
        await keys.close()
        await engine.dispose()
    applied, _ = await _state(database_url)
    assert applied == [("E1", 0), ("E2", 1), ("E4", 3)]  # the names opened: each seq once
    conn = await asyncpg.connect(database_url)
    try:
        dead = await conn.fetch(f"SELECT headers FROM {SCHEMA}.outbox WHERE topic = 't.dlq'")
    finally:
        await conn.close()
    assert len(dead) == 1
    assert json.loads(dead[0]["headers"])["x-dlq-reason"] == "unsealable"


async def test_a_batch_waits_for_an_unreachable_privacy_service_and_applies_once_it_answers(
    privacy: RunningService, database_url: str
) -> None:
    """The first key calls fail: the batch's transaction (its inbox claim too) is rolled back
    each time, and once the keys come every event is applied, none taken for a duplicate."""
    await setup_schema(database_url)
    records = await _sealed(privacy, [f"E{i}" for i in range(10)])
    engine, uow = build_uow(database_url)
    keys, transport = _keys(privacy, "kit", down=3)
    consumer = EventConsumer(
        "kit-sealed-wait",
        uow,
        {},
        batch_handlers={EmployeeHired: _record},
        keys=keys,
        backoff_base=0.01,
    )
    try:
        assert await consumer.process_batch(records) == ["applied"] * 10
    finally:
        await keys.close()
        await engine.dispose()
    assert transport.refused == 3
    assert keys.calls == 4  # three refused, then one for the whole batch
    applied, inbox = await _state(database_url)
    assert applied == [(f"E{i}", i) for i in range(10)]
    assert inbox == 10
