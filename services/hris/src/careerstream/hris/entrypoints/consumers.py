"""Kafka side of the hris gateway: it consumes nothing and publishes the canonical people stream."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import hris as ev
from careerstream.servicekit.subscriptions import declare_publications
from careerstream.servicekit.uow import UowFactory


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    declare_publications(broker, ev.EmployeeHired, ev.EmployeeChanged, ev.EmployeeTerminated)
