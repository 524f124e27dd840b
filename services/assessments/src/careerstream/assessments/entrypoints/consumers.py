"""Kafka side of the assessments service: framework and HRIS projections in, results out."""

from faststream.kafka import KafkaBroker

from careerstream.assessments.adapters.orm import metadata
from careerstream.assessments.service_layer import projections
from careerstream.contracts.events import assessments as ev
from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.contracts.events.privacy import ErasureAnswered
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
        # The organisation tree: a department's cycles and matrix take in its subtree.
        EventConsumer(
            "assessments-orgunits", uow, {}, batch_handlers=projections.org_tree.batch_handlers()
        ),
    ]


_OWN_ASSESSMENTS = (
    "assessment_id IN (SELECT assessment_id FROM assessments.assessments "
    "WHERE tenant_id = :tenant AND employee_id = :employee)"
)
ERASURE_RULES: list[Rule] = [
    *people_rules(),
    Forget("submissions", where=_OWN_ASSESSMENTS),
    Forget("results", where=_OWN_ASSESSMENTS),
    Forget("levels"),
    Forget("assessments"),
    Pseudonymise("submissions", "rater_id"),
    Pseudonymise("results", "calibrated_by"),
    Pseudonymise("levels", "manager_id"),
    Pseudonymise("cycles", "opened_by"),
    Pseudonymise("org_units", "head_id"),
]
"""The person's assessments, ratings, results and levels go; what they rated of others or
calibrated as HR stays, under a pseudonym (the skills matrices are counts: they stay)."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("assessments", metadata.schema or "assessments", ERASURE_RULES)
    for consumer in consumers(uow):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    declare_publications(
        broker,
        ErasureAnswered,
        ev.CycleOpened,
        ev.CycleClosed,
        ev.AssessmentOpened,
        ev.PeersNominated,
        ev.AssessmentSubmitted,
        ev.AssessmentCompleted,
        ev.SkillgapIdentified,
    )
