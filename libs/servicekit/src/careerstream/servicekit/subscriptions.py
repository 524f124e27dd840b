"""Declaring an EventConsumer on the FastStream broker (so it shows in AsyncAPI).

The ack policy is manual: the offset is committed after the consumer's
transaction has committed, never before, and never for a handler cancelled
at shutdown (FastStream's Kafka default would commit before the handler runs).
"""

from __future__ import annotations

import asyncio
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


def _ms_env(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a whole number of milliseconds") from None
    if not low <= value <= high:
        raise ValueError(f"{name}: {value} is not within {low}..{high}")
    return value


def fetch_max_wait_ms() -> int:
    """How long the broker may hold a consumer's fetch when none of its partitions has news
    (`CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS`, default 100).

    A consumer has one fetch in flight at a time, for the partitions it holds nothing of:
    while it works through what it holds of a busy topic, that fetch asks only for its quiet
    topics, and Kafka's default (500 ms) then kept the busy partitions waiting half a second
    (a 2,000 events/s stream reached the metrics projection in 800 ms at p99 instead of 100).
    An idle consumer asks ten times a second instead of twice.
    """
    return _ms_env("CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS", 100, 1, 10_000)


def session_timeout_ms() -> int:
    """How long the group coordinator waits for a silent replica before it hands the replica's
    partitions to the others (`CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS`, default 10,000).

    A replica that stops cleanly leaves its groups at once; one that is killed (OOM, a lost
    node) holds its partitions, unread, for up to this long (`bench.scale_out` measures the
    pause). The broker accepts 6,000 to 300,000 by default
    (`group.min.session.timeout.ms`, `group.max.session.timeout.ms`).
    """
    return _ms_env("CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS", 10_000, 6_000, 300_000)


def heartbeat_interval_ms() -> int:
    """How often a replica tells its group coordinator it is alive
    (`CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS`, default 3,000 or a third of the session
    timeout if that is less; at most a third of it).

    It is also how a replica learns that its group is rebalancing: when a replica joins,
    the others go on reading until their next heartbeat tells them, and the group waits
    for them (`bench.scale_out`).
    """
    session = session_timeout_ms()
    value = _ms_env(
        "CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS", min(3_000, session // 3), 100, 100_000
    )
    if value * 3 > session:
        raise ValueError(
            f"CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS: {value} is more than a third of "
            f"CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS ({session})"
        )
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
        "session_timeout_ms": session_timeout_ms(),
        "heartbeat_interval_ms": heartbeat_interval_ms(),
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


async def start_consuming(broker: KafkaBroker) -> None:
    """Connect and start every subscriber at once, instead of one after another as FastStream's
    `broker.start()` does.

    A subscriber's start returns once its group has given it partitions. A replica joining a
    service that already runs waits, in each group, until the other members' next heartbeat
    tells them to rebalance. One after another, a replica of metrics (eight groups) spent 17 s
    joining them, and rebalanced its groups one by one (`bench.scale_out`).
    """
    await broker.connect()
    await asyncio.gather(*(sub.start() for sub in broker.subscribers))
    for pub in broker.publishers:
        await pub.start()
    broker.running = True


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
