"""Kafka side of the plans service: gaps, frameworks, people and moves in; plans out."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import plans as ev
from careerstream.contracts.events.assessments import SkillgapIdentified
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.contracts.events.mobility import RoleFilled
from careerstream.plans.service_layer import plans, projections
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def consumers(uow: UowFactory) -> list[EventConsumer]:
    return [
        EventConsumer(
            "plans-frameworks", uow, {FrameworkPublished: projections.on_framework_published}
        ),
        # The directory takes whole batches (one read and one write each): HRIS bursts.
        EventConsumer("plans-people", uow, {}, batch_handlers=projections.people.batch_handlers()),
        EventConsumer("plans-gaps", uow, {SkillgapIdentified: plans.on_gaps}),
        EventConsumer("plans-moves", uow, {RoleFilled: projections.on_role_filled}),
    ]


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    for consumer in consumers(uow):
        subscribe(broker, consumer, batch=True)
    declare_publications(
        broker,
        ev.PlanCreated,
        ev.PlanApproved,
        ev.GoalAdded,
        ev.GoalProgressed,
        ev.GoalCompleted,
        ev.CheckinRecorded,
        ev.PlanCompleted,
        ev.ConversationHeld,
    )
