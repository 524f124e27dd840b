"""Kafka side of the assessments service: framework and HRIS projections in, results out."""

from faststream.kafka import KafkaBroker

from careerstream.assessments.service_layer import projections
from careerstream.contracts.events import assessments as ev
from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def consumers(uow: UowFactory) -> list[EventConsumer]:
    return [
        EventConsumer(
            "assessments-frameworks",
            uow,
            {
                FrameworkPublished: projections.on_framework_published,
                FrameworkRetired: projections.on_framework_retired,
            },
        ),
        # The directory takes whole batches (one read and one write each): HRIS bursts.
        EventConsumer(
            "assessments-people", uow, {}, batch_handlers=projections.people.batch_handlers()
        ),
    ]


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    for consumer in consumers(uow):
        subscribe(broker, consumer, batch=True)
    declare_publications(
        broker,
        ev.CycleOpened,
        ev.CycleClosed,
        ev.AssessmentSubmitted,
        ev.AssessmentCompleted,
        ev.SkillgapIdentified,
    )
