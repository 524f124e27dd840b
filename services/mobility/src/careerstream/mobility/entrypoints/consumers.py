"""Kafka side of the mobility service: frameworks, people and assessments in; the marketplace out."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events import mobility as ev
from careerstream.contracts.events.assessments import AssessmentCompleted
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.mobility.adapters.orm import metadata, org_units
from careerstream.mobility.service_layer import alerts, projections
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import (
    ErasureGuard,
    Forget,
    Pseudonymise,
    Rule,
    people_rules,
)
from careerstream.servicekit.orgtree import OrgTreeProjection
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
        # The organisation tree: a department's opportunities are open to its subtree.
        EventConsumer(
            "mobility-orgunits",
            uow,
            {},
            batch_handlers=OrgTreeProjection(org_units).batch_handlers(),
        ),
        EventConsumer(
            "mobility-assessments", uow, {AssessmentCompleted: projections.on_assessment_completed}
        ),
        # Its own postings, once committed: who they fit (read by notifications only).
        EventConsumer("mobility-match-alerts", uow, {ev.OpportunityPosted: alerts.on_posted}),
    ]


ERASURE_RULES: list[Rule] = [
    *people_rules(),
    Forget("applications"),
    Forget("profiles"),
    Pseudonymise("opportunities", "hiring_manager_id"),
    Pseudonymise("opportunities", "filled_by"),
    Pseudonymise("candidate_searches", "searched_by"),
    Pseudonymise("org_units", "head_id"),
    Forget("nominations"),
    Pseudonymise("nominations", "nominated_by"),
    Pseudonymise("critical_roles", "marked_by"),
]
"""The person's applications and match profile go; opportunities they posted or filled
stay under a pseudonym."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("mobility", metadata.schema or "mobility", ERASURE_RULES)
    for consumer in consumers(uow):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    declare_publications(
        broker,
        ErasureAnswered,
        ev.OpportunityPosted,
        ev.ApplicationSubmitted,
        ev.ApplicationWithdrawn,
        ev.CandidateShortlisted,
        ev.RoleFilled,
        ev.CandidatesPassedOver,
        ev.OpportunityClosed,
        ev.OpportunityMatched,
        ev.BenchChanged,
    )
