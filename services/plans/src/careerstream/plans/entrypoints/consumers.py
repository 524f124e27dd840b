"""Kafka side of the plans service: gaps, frameworks, people and moves in; plans out."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import plans as ev
from careerstream.contracts.events.assessments import SkillgapIdentified
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.contracts.events.learning import (
    LearningCompleted,
    LearningProgressed,
    LearningVoided,
)
from careerstream.contracts.events.mobility import RoleFilled
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.plans.adapters.orm import metadata
from careerstream.plans.service_layer import learning, plans, projections
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import (
    ErasureGuard,
    Forget,
    Pseudonymise,
    Rule,
    people_rules,
)
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def consumers(uow: UowFactory) -> list[EventConsumer]:
    return [
        EventConsumer(
            "plans-frameworks", uow, {FrameworkPublished: projections.on_framework_published}
        ),
        # The directory takes whole batches (one read and one write each): HRIS bursts.
        EventConsumer("plans-people", uow, {}, batch_handlers=projections.people_handlers()),
        EventConsumer("plans-gaps", uow, {SkillgapIdentified: plans.on_gaps}),
        EventConsumer("plans-moves", uow, {RoleFilled: projections.on_role_filled}),
        EventConsumer(
            "plans-learning",
            uow,
            {
                LearningCompleted: learning.on_learning,
                LearningProgressed: learning.on_learning,
                LearningVoided: learning.on_voided,
            },
        ),
    ]


_OWN_PLANS = "plan_id IN (SELECT plan_id FROM plans.plans WHERE tenant_id = :tenant AND employee_id = :employee)"
_OWN_GOALS = (
    "goal_id IN (SELECT goal_id FROM plans.goals WHERE tenant_id = :tenant AND plan_id IN "
    "(SELECT plan_id FROM plans.plans WHERE tenant_id = :tenant AND employee_id = :employee))"
)
ERASURE_RULES: list[Rule] = [
    *people_rules(),
    Forget("actions", where=_OWN_GOALS),
    Forget("goals", where=_OWN_PLANS),
    Forget("checkins", where=_OWN_PLANS),
    Forget("plans"),
    Forget("conversations"),
    Forget("levels"),
    Forget("learning_records"),
    Pseudonymise("actions", "owner_id"),
    Pseudonymise("checkins", "manager_id"),
    Pseudonymise("conversations", "manager_id"),
    Pseudonymise("plans", "approved_by"),
]
"""The person's plans, goals, actions, check-ins, conversations (and their private notes) and
learning records go; what they did as someone's manager stays under a pseudonym."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("plans", metadata.schema or "plans", ERASURE_RULES)
    for consumer in consumers(uow):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    declare_publications(
        broker,
        ErasureAnswered,
        ev.PlanCreated,
        ev.PlanApproved,
        ev.GoalAdded,
        ev.GoalProgressed,
        ev.GoalCompleted,
        ev.CheckinRecorded,
        ev.PlanCompleted,
        ev.TransitionPlanDrafted,
        ev.ConversationHeld,
        ev.ActionUpdated,
    )
