"""Kafka subscribers of the frameworks service (thin: parse, call a handler)."""

from faststream.kafka import KafkaBroker

from careerstream.servicekit.uow import UowFactory


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
