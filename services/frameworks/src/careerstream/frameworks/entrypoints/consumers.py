"""Kafka side of the frameworks service: it consumes nothing, and publishes framework versions."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.servicekit.subscriptions import declare_publications
from careerstream.servicekit.uow import UowFactory


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    declare_publications(broker, FrameworkPublished, FrameworkRetired)
