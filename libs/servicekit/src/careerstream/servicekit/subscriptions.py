"""Declaring an EventConsumer on the FastStream broker (so it shows in AsyncAPI).

The ack policy is manual: the offset is committed after the consumer's
transaction has committed, never before, and never for a handler cancelled
at shutdown (FastStream's Kafka default would commit before the handler runs).
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.annotations import KafkaMessage

from careerstream.contracts.base import EventPayload
from careerstream.servicekit.consumer import EventConsumer, Record

_GROUPS: weakref.WeakKeyDictionary[KafkaBroker, dict[str, list[str]]] = weakref.WeakKeyDictionary()
"""Each broker's consumer groups, held as long as the broker lives (an id would be reused by
the next broker once this one is gone, and hand it the groups of another service)."""


def consumer_groups(broker: KafkaBroker) -> dict[str, list[str]]:
    """The consumer groups subscribed on `broker` and their topics (for the lag metric)."""
    return _GROUPS.get(broker, {})


def fetch_max_wait_ms() -> int:
    """How long the broker may hold a consumer's fetch when none of its partitions has news
    (`CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS`, default 100).

    A consumer has one fetch in flight at a time, for the partitions it holds nothing of:
    while it works through what it holds of a busy topic, that fetch asks only for its quiet
    topics, and Kafka's default (500 ms) then kept the busy partitions waiting half a second
    (a 2,000 events/s stream reached the metrics projection in 800 ms at p99 instead of 100).
    An idle consumer asks ten times a second instead of twice.
    """
    raw = os.environ.get("CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS", "100")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS: {raw!r} is not a whole number of milliseconds"
        ) from None
    if not 1 <= value <= 10_000:
        raise ValueError(f"CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS: {value} is not within 1..10000")
    return value


def to_record(raw: Any) -> Record:
    """A FastStream message as the consumer's record."""
    return Record(
        topic=raw.topic,
        partition=raw.partition,
        offset=raw.offset,
        key=raw.key,
        value=raw.value,
        headers=tuple(raw.headers or ()),
    )


async def _raw_only(message: Any) -> None:
    """No body decoding by FastStream: the consumer parses each raw record itself."""
    return None


def subscribe(
    broker: KafkaBroker, consumer: EventConsumer, *, batch: bool = False, max_records: int = 1000
) -> None:
    """Consume `consumer.topics` in the consumer group named after the consumer.

    `CAREERSTREAM_CONSUMER_GROUP_PREFIX` prefixes every group name (a second platform on the
    same cluster, or an isolated test run, then reads the topics on its own).
    """
    group = os.environ.get("CAREERSTREAM_CONSUMER_GROUP_PREFIX", "") + consumer.name
    _GROUPS.setdefault(broker, {})[group] = consumer.topics
    common: dict[str, Any] = {
        "group_id": group,
        "fetch_max_wait_ms": fetch_max_wait_ms(),
        "decoder": _raw_only,
        "ack_policy": AckPolicy.MANUAL,
        "auto_offset_reset": "earliest",
        "title": consumer.name,
        "description": "Event types: "
        + ", ".join(sorted(m.event_type for m in (*consumer.handlers, *consumer.batch_handlers))),
    }
    # Never created by a subscriber: FastStream would make a missing topic with the broker's
    # defaults (not its partitions or retention), and a KafkaUser may not create topics.
    # The platform's topics are declared (create-topics.sh, the chart's KafkaTopics).
    topics = [Topic(t, declare=False) for t in consumer.topics]
    if batch:
        sub = broker.subscriber(*topics, batch=True, max_records=max_records, **common)

        @sub  # type: ignore[untyped-decorator]
        async def on_batch(message: KafkaMessage) -> None:
            await consumer.process_batch([to_record(r) for r in message.raw_message])
            await message.ack()

    else:
        sub1 = broker.subscriber(*topics, **common)

        @sub1  # type: ignore[untyped-decorator]
        async def on_message(message: KafkaMessage) -> None:
            await consumer.process(to_record(message.raw_message))
            await message.ack()


def declare_publications(broker: KafkaBroker, *payloads: type[EventPayload]) -> None:
    """Name the event types a service publishes, for its AsyncAPI document.

    The messages themselves leave through the outbox relay; each is a CloudEvent
    (structured mode) whose `data` is the payload documented here.
    """
    for model in payloads:
        broker.publisher(
            model.topic,
            title=f"{model.topic}:{model.event_type}",
            description=(
                f"CloudEvents `type` {model.event_type}, key `<tenant>:<{model.aggregate_field}>`; "
                f"`data` is this payload. {(model.__doc__ or '').strip()}"
            ),
            schema=model,
        )
