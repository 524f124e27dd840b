"""Kafka side of the mobility service: frameworks, people and assessments in; the marketplace out."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import mobility as ev
from careerstream.contracts.events.assessments import AssessmentCompleted
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.mobility.service_layer import projections
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def consumers(uow: UowFactory) -> list[EventConsumer]:
    return [
        EventConsumer(
            "mobility-frameworks", uow, {FrameworkPublished: projections.on_framework_published}
        ),
        # The directory takes whole batches (one read and one write each): HRIS bursts.
        EventConsumer(
            "mobility-people", uow, {}, batch_handlers=projections.people.batch_handlers()
        ),
        EventConsumer(
            "mobility-assessments", uow, {AssessmentCompleted: projections.on_assessment_completed}
        ),
    ]


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    for consumer in consumers(uow):
        subscribe(broker, consumer, batch=True)
    declare_publications(
        broker,
        ev.OpportunityPosted,
        ev.ApplicationSubmitted,
        ev.ApplicationWithdrawn,
        ev.CandidateShortlisted,
        ev.RoleFilled,
        ev.OpportunityClosed,
    )
