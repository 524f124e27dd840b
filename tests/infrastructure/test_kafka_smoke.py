"""The broker is real: partitions, keys and consumer groups behave as Kafka's do."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from careerstream.devstack.pytest_plugin import TopicFactory

pytestmark = pytest.mark.kafka


async def test_produce_and_consume_across_partitions(
    kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=6)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        sent = {}
        for i in range(60):
            key = f"tenant-a:emp-{i % 12}".encode()
            meta = await producer.send_and_wait(topic, f"{i}".encode(), key=key)
            sent[i] = (key, meta.partition)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    got: dict[int, tuple[bytes, int]] = {}
    try:
        deadline = time.monotonic() + 30
        while len(got) < 60 and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for tp, records in batches.items():
                for r in records:
                    assert r.key is not None
                    assert r.value is not None
                    got[int(r.value)] = (r.key, tp.partition)
    finally:
        await consumer.stop()

    assert got == sent
    # The same key always lands on the same partition, and the keys spread over several.
    by_key: dict[bytes, set[int]] = {}
    for key, partition in got.values():
        by_key.setdefault(key, set()).add(partition)
    assert all(len(p) == 1 for p in by_key.values())
    assert len({p for ps in by_key.values() for p in ps}) > 1


async def _assigned(
    consumer: AIOKafkaConsumer, want: int, timeout: float = 60
) -> set[TopicPartition]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await consumer.getmany(timeout_ms=200)
        parts = set(consumer.assignment())
        if len(parts) == want:
            return parts
    raise AssertionError(f"expected {want} partitions, have {len(consumer.assignment())}")


async def test_group_splits_partitions_and_takes_over(
    kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=4)
    group = f"group-{topic}"

    def member() -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=10000,
            heartbeat_interval_ms=500,
        )

    a, b = member(), member()
    await a.start()
    await _assigned(a, 4)
    await b.start()
    # Both must be polling for the rebalance to complete.
    results = await asyncio.gather(_assigned(a, 2), _assigned(b, 2))
    assert results[0].isdisjoint(results[1])
    assert len(results[0] | results[1]) == 4

    await b.stop()  # leaves the group cleanly
    try:
        taken_over = await _assigned(a, 4)
        assert {tp.partition for tp in taken_over} == {0, 1, 2, 3}
    finally:
        await a.stop()
