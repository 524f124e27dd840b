"""Kafka side of the privacy service: who exists (ids only), and the services' erasure answers."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.hris import EmployeeChanged, EmployeeHired, EmployeeTerminated
from careerstream.contracts.events.privacy import (
    AccessRecorded,
    ErasureAnswered,
    ErasureCompleted,
    ErasureRequested,
)
from careerstream.privacy.service_layer import erasures, trail
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    # It needs ids only: it opens no sealed field (keys=None).
    people = EventConsumer(
        "privacy-people",
        uow,
        {
            EmployeeHired: erasures.on_person,
            EmployeeChanged: erasures.on_person,
            EmployeeTerminated: erasures.on_person,
        },
        keys=None,
    )
    answers = EventConsumer(
        "privacy-answers", uow, {ErasureAnswered: erasures.on_answered}, keys=None
    )
    access = EventConsumer(
        "privacy-access",
        uow,
        {},
        batch_handlers={AccessRecorded: trail.on_access_batches},
        keys=None,
    )
    subscribe(broker, people, batch=True)
    subscribe(broker, answers)
    subscribe(broker, access, batch=True)
    declare_publications(broker, ErasureRequested, ErasureCompleted)
