"""A consumer's fetch waits at most CAREERSTREAM_KAFKA_FETCH_MAX_WAIT_MS (100 ms) on the broker.

With one fetch in flight per consumer, Kafka's default of 500 ms held a busy topic's
partitions while the fetch asked only for the consumer's quiet topics: the HRIS-to-metrics
latency had half-second steps (bench/RESULTS.md, issue 20)."""

from __future__ import annotations

import pytest
from faststream.kafka import KafkaBroker

from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import fetch_max_wait_ms, subscribe


def _subscribed_wait(batch: bool) -> object:
    broker = KafkaBroker("127.0.0.1:1")  # never connects
    subscribe(broker, EventConsumer("c", None, {}, topics_override=["t"]), batch=batch)  # type: ignore[arg-type]
    (sub,) = broker.subscribers
    return sub._connection_args["fetch_max_wait_ms"]  # type: ignore[attr-defined]


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
