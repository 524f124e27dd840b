"""The timing of every subscription: how long a fetch waits on the broker
(CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS, 100 ms) and how long a silent replica keeps its
partitions (CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS, 10 s).

With one fetch in flight per consumer, Kafka's default of 500 ms held a busy topic's
partitions while the fetch asked only for the consumer's quiet topics: the HRIS-to-metrics
latency had half-second steps (bench/RESULTS.md, issue 20)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from careerstream.devstack.pytest_plugin import TopicFactory
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import (
    fetch_max_wait_ms,
    heartbeat_interval_ms,
    session_timeout_ms,
    start_consuming,
    subscribe,
)


def _subscribed(batch: bool, arg: str = "fetch_max_wait_ms") -> object:
    broker = KafkaBroker("127.0.0.1:1")  # never connects
    subscribe(broker, EventConsumer("c", None, {}, topics_override=["t"]), batch=batch)  # type: ignore[arg-type]
    (sub,) = broker.subscribers
    return sub._connection_args[arg]  # type: ignore[attr-defined]


def _subscribed_wait(batch: bool) -> object:
    return _subscribed(batch)


@pytest.mark.parametrize("batch", [True, False])
def test_every_subscription_waits_at_most_100_ms_by_default(
    batch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS", raising=False)
    assert _subscribed_wait(batch) == 100


def test_the_wait_can_be_set_and_nonsense_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS", "250")
    assert _subscribed_wait(True) == 250
    for bad in ("soon", "0", "60000"):
        monkeypatch.setenv("CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS", bad)
        with pytest.raises(ValueError, match="CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS"):
            fetch_max_wait_ms()


@pytest.mark.parametrize("batch", [True, False])
def test_a_killed_replica_is_noticed_after_the_session_timeout_with_heartbeats_a_third_of_it(
    batch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS", raising=False)
    assert _subscribed(batch, "session_timeout_ms") == 10_000
    assert _subscribed(batch, "heartbeat_interval_ms") == 3_000
    monkeypatch.setenv("CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS", "6000")
    assert _subscribed(batch, "session_timeout_ms") == 6_000
    assert _subscribed(batch, "heartbeat_interval_ms") == 2_000
    for bad in ("later", "1000", "3600000"):
        monkeypatch.setenv("CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS", bad)
        with pytest.raises(ValueError, match="CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS"):
            session_timeout_ms()


def test_the_heartbeat_can_be_set_within_a_third_of_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CAREERSTREAM_KAFKA_SESSION_TIMEOUT_MS", raising=False)
    monkeypatch.setenv("CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS", "1000")
    assert _subscribed(True, "heartbeat_interval_ms") == 1_000
    for bad in ("often", "50", "4000"):
        monkeypatch.setenv("CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS", bad)
        with pytest.raises(ValueError, match="CAREERSTREAM_KAFKA_HEARTBEAT_INTERVAL_MS"):
            heartbeat_interval_ms()


@pytest.mark.kafka
async def test_a_joining_replica_starts_its_groups_together_not_one_after_another(
    kafka_bootstrap: str, new_topic: TopicFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subscriber's start returns once its group has rebalanced; in a group that already
    has a member, that waits for the member's next heartbeat. Started one after another, a
    replica with n groups waited n heartbeats before it took any work."""
    topic = await new_topic(partitions=2)
    prefix = f"timing-{uuid.uuid4().hex[:6]}-"
    monkeypatch.setenv("CAREERSTREAM_CONSUMER_GROUP_PREFIX", prefix)

    def replica() -> KafkaBroker:
        broker = KafkaBroker(kafka_bootstrap)
        for n in range(3):
            subscribe(broker, EventConsumer(f"g{n}", None, {}, topics_override=[topic]))  # type: ignore[arg-type]
        return broker

    first, second = replica(), replica()
    spans: dict[int, tuple[float, float]] = {}
    for n, sub in enumerate(second.subscribers):
        original = sub.start

        async def timed(n: int = n, original: Any = original) -> None:
            began = time.monotonic()
            await original()
            spans[n] = (began, time.monotonic())

        monkeypatch.setattr(sub, "start", timed)
    try:
        await start_consuming(first)
        await start_consuming(second)
        assert second.running
        # Every group waited for the same rebalance round, at the same time.
        assert max(b for b, _ in spans.values()) < min(e for _, e in spans.values())
        for broker in (first, second):
            for sub in broker.subscribers:
                assert sub.consumer.assignment(), "every member of every group has a partition"  # type: ignore[attr-defined]
    finally:
        await second.stop()
        await first.stop()
