"""Kafka subscribers of the metrics service (thin: parse, call a handler)."""

from faststream.kafka import KafkaBroker


def register(broker: KafkaBroker) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
