"""The consumer lag gauge: end offsets minus the group's committed offsets, per topic."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from careerstream.devstack.pytest_plugin import TopicFactory
from careerstream.servicekit.lag import LAG, LagMonitor

pytestmark = [pytest.mark.kafka]


async def test_lag_counts_what_the_group_has_not_committed(
    kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=2)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    for i in range(10):
        await producer.send_and_wait(topic, b"x", partition=i % 2)
    await producer.stop()

    monitor = LagMonitor(kafka_bootstrap, {"kit-lag": [topic]})
    try:
        assert await monitor.measure() == {("kit-lag", topic): 10}  # nothing committed yet

        group = AIOKafkaConsumer(
            bootstrap_servers=kafka_bootstrap, group_id="kit-lag", enable_auto_commit=False
        )
        await group.start()
        group.assign([TopicPartition(topic, 0), TopicPartition(topic, 1)])
        try:
            await group.commit(
                {
                    TopicPartition(topic, 0): OffsetAndMetadata(2, ""),
                    TopicPartition(topic, 1): OffsetAndMetadata(5, ""),
                }
            )
        finally:
            await group.stop()
        assert await monitor.measure() == {("kit-lag", topic): 3}
        assert LAG.labels("kit-lag", topic)._value.get() == 3
    finally:
        await monitor.close()


async def test_lag_is_skipped_not_failed_when_kafka_is_away() -> None:
    monitor = LagMonitor("127.0.0.1:1", {"kit-lag": ["t"]})
    assert await monitor.measure(timeout=2.0) == {}
