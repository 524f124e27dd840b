"""Every topic's retention is declared in the topic registry, the broker holds every topic to
it, and no compacted topic is keyed by a person (compaction keeps the latest message per key
for good: an erasure would then have to tombstone it; sealing covers the topics that are
logs)."""

from __future__ import annotations

import pytest

from careerstream.contracts.registry import EVENT_TYPES
from careerstream.contracts.topics import (
    ALL_TOPICS,
    DAY_MS,
    MATCH,
    RETENTION,
    dlq_topic,
    retention_of,
)
from careerstream.devstack import kafka


def test_every_topic_has_a_retention_and_dead_letters_go_after_30_days() -> None:
    assert set(RETENTION) == set(ALL_TOPICS)
    for topic in ALL_TOPICS:
        assert retention_of(topic).why
        assert retention_of(topic).cleanup_policy in ("delete", "compact")
        dlq = retention_of(dlq_topic(topic))
        assert (dlq.cleanup_policy, dlq.retention_ms) == ("delete", 30 * DAY_MS)


def test_no_compacted_topic_is_keyed_by_a_person() -> None:
    for topic, r in RETENTION.items():
        if r.cleanup_policy != "compact":
            continue
        keyed_by = {m.aggregate_field for m in EVENT_TYPES.values() if m.topic == topic}
        assert "employee_id" not in keyed_by, (
            f"{topic} is compacted and keyed by a person: give its erasure a tombstone, "
            "or make it a log"
        )


@pytest.mark.kafka
async def test_the_broker_holds_every_topic_to_its_retention(
    kafka_bootstrap: str, platform_topics: list[str]
) -> None:
    got = await kafka.topic_configs(kafka_bootstrap, platform_topics)
    for topic in platform_topics:
        assert got[topic] == retention_of(topic).configs(), topic

    # A topic whose retention drifted (changed by hand, or by an older release) is brought
    # back to the registry's when the topics are ensured again.
    drifted = dlq_topic(MATCH)
    await kafka.apply_retention(kafka_bootstrap, [])  # nothing asked, nothing done
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC,
                    drifted,
                    configs={"cleanup.policy": "delete", "retention.ms": str(400 * DAY_MS)},
                )
            ]
        )
    finally:
        await admin.close()
    assert (await kafka.topic_configs(kafka_bootstrap, [drifted]))[drifted]["retention.ms"] == str(
        400 * DAY_MS
    )
    assert await kafka.create_platform_topics(kafka_bootstrap, platform_topics, partitions=3) == []
    assert (await kafka.topic_configs(kafka_bootstrap, [drifted]))[drifted] == retention_of(
        drifted
    ).configs()
