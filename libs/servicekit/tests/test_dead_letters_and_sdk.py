"""Poison messages go to the DLQ with their reason, and what we write is a CloudEvent any SDK reads."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cloudevents.core.bindings import kafka as ce_kafka
from faststream.kafka import KafkaBroker
from harness import SCHEMA, build_uow, hired, record_effect, setup_schema  # type: ignore[import-not-found]

from careerstream.contracts.envelope import CONTENT_TYPE, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired
from careerstream.contracts.examples import EXAMPLES
from careerstream.contracts.registry import EVENT_TYPES
from careerstream.contracts.topics import dlq_topic
from careerstream.devstack import kafka
from careerstream.devstack.pytest_plugin import TopicFactory
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.relay import OutboxRelay
from careerstream.servicekit.subscriptions import subscribe

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _records(bootstrap: str, topic: str, want: int, timeout: float = 30) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out += records
    finally:
        await consumer.stop()
    return out


async def test_poison_messages_are_dead_lettered_and_the_partition_keeps_flowing(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=1)  # one partition: the good ones queue behind the bad
    await kafka.create_topics(kafka_bootstrap, [dlq_topic(topic)], partitions=1)
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    src = "/careerstream/test"
    good = [make_event(hired(f"E{i}", i), tenant_id="acme", source=src) for i in range(3)]
    bad_schema = make_event(hired("E9", 9), tenant_id="acme", source=src).model_copy(
        update={"data": {"employee_id": "E9"}}
    )
    boom = make_event(hired("BOOM", 1), tenant_id="acme", source=src)
    unknown = make_event(hired("E8", 8), tenant_id="acme", source=src).model_copy(
        update={"type": "careerstream.hris.employee.promoted.v7"}
    )
    messages = [
        b"\x00not json",
        b'{"hello": "world"}',
        encode(bad_schema),
        encode(boom),
        encode(unknown),
        *[encode(g) for g in good],
    ]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    for m in messages:
        await producer.send_and_wait(topic, m, key=b"acme:x")
    await producer.stop()

    consumer = EventConsumer(
        "kit-dlq",
        uow,
        {EmployeeHired: record_effect},
        max_attempts=3,
        backoff_base=0.01,
        topics_override=[topic],
    )
    broker = KafkaBroker(kafka_bootstrap)
    subscribe(broker, consumer)
    relay = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit")
    await relay.start()
    conn = await asyncpg.connect(database_url)
    try:
        async with broker:
            await broker.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if await conn.fetchval("SELECT count(*) FROM kit.effects") == 3:
                    break
                await asyncio.sleep(0.2)
        while await relay.run_once():
            pass
        applied = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM kit.effects")}
    finally:
        await relay.stop()
        await conn.close()
        await engine.dispose()

    assert applied == {g.id for g in good}
    dead = await _records(kafka_bootstrap, dlq_topic(topic), 4)
    assert len(dead) == 4
    by_offset = {int(dict(d.headers)["x-original-offset"]): d for d in dead}
    assert sorted(by_offset) == [0, 1, 2, 3]
    reasons = {o: dict(d.headers)["x-dlq-reason"].decode() for o, d in by_offset.items()}
    assert reasons == {
        0: "invalid-event",
        1: "invalid-event",
        2: "schema-violation",
        3: "handler-error",
    }
    h3 = {k: v.decode() for k, v in by_offset[3].headers}
    assert "cannot cope with BOOM" in h3["x-dlq-error"]
    assert h3["x-original-topic"] == topic
    assert h3["x-consumer"] == "kit-dlq"
    assert h3["x-attempts"] == "3"
    assert by_offset[3].value == encode(boom), "the DLQ keeps the original message intact"
    assert "details" in dict(by_offset[2].headers)["x-dlq-error"].decode()


async def test_cloudevents_sdk_reads_every_event_type_as_we_write_it(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=3)
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    written = {}
    async with uow() as u:
        for event_type, payload in EXAMPLES.items():
            written[event_type] = u.publish(payload, tenant_id="acme", topic=topic).envelope()
        await u.commit()
    relay = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit")
    await relay.start()
    try:
        while await relay.run_once():
            pass
    finally:
        await relay.stop()
        await engine.dispose()

    records = await _records(kafka_bootstrap, topic, len(EVENT_TYPES))
    assert len(records) == len(EVENT_TYPES)
    for r in records:
        headers = {k: v for k, v in r.headers}
        assert headers["content-type"] == CONTENT_TYPE.encode()
        ce = ce_kafka.from_structured_event(
            ce_kafka.KafkaMessage(headers=headers, key=r.key, value=r.value)
        )
        ours = written[ce.get_type()]
        assert ce.get_specversion() == "1.0"
        assert ce.get_id() == ours.id
        assert ce.get_source() == "/careerstream/kit"
        assert ce.get_subject() == ours.subject
        assert ce.get_extension("tenantid") == "acme"
        assert ce.get_dataschema() == ours.dataschema
        assert ce.get_data() == json.loads(json.dumps(ours.data))
        assert r.key == f"acme:{ours.subject}".encode()
