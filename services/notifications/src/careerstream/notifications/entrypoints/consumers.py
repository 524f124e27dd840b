"""Kafka side of the notifications service: it only consumes (people, assessments, plans, the
marketplace, erasures) and publishes nothing but its erasure answers."""

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.notifications.adapters.orm import employees, metadata
from careerstream.notifications.service_layer.deciding import Policy, suppress_for
from careerstream.notifications.service_layer.rules import Rules
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import ErasureGuard, Forget, Pseudonymise, Rule, people_rules
from careerstream.servicekit.people import Change, PeopleProjection
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UnitOfWork, UowFactory

ERASURE_RULES: list[Rule] = [
    Forget(
        "notifications",
        where="recipient_id = :employee OR about_id = :employee",
    ),
    Forget("deliveries", "recipient_id"),
    Forget("preferences"),
    Forget(
        "raters",
        where=(
            "rater_id = :employee OR assessment_id IN (SELECT assessment_id FROM "
            "notifications.assessments WHERE tenant_id = :tenant AND employee_id = :employee)"
        ),
    ),
    Forget("assessments"),
    Forget("plans"),
    Forget("applications"),
    Pseudonymise("opportunities", "selected_id"),
    Pseudonymise("erasures", "requested_by"),
    *people_rules(),
]
"""Everything addressed to the person or about them goes (their inbox, deliveries, choices,
the state of their assessments, plans and applications); their directory row and address go."""


async def _left(uow: UnitOfWork, changes: Sequence[Change]) -> None:
    """Someone who leaves is sent nothing more: their pending deliveries are cancelled."""
    gone: dict[str, list[str]] = {}
    for c in changes:
        if c.changed.get("active") is False:
            gone.setdefault(c.tenant, []).append(c.employee_id)
    for tenant, ids in gone.items():
        await suppress_for(uow, tenant, ids, "the person has left")


def consumers(uow: UowFactory, policy: Policy) -> list[EventConsumer]:
    people = PeopleProjection(employees, on_changes=_left)
    return [
        EventConsumer("notifications-people", uow, {}, batch_handlers=people.batch_handlers()),
        EventConsumer(
            "notifications-events", uow, {}, batch_handlers=Rules(policy).batch_handlers()
        ),
    ]


def privacy_consumer(uow: UowFactory, policy: Policy) -> EventConsumer:
    """Not behind the erasure guard (see `Rules.privacy_handlers`); it opens no sealed field."""
    return EventConsumer(
        "notifications-privacy",
        uow,
        {},
        batch_handlers=Rules(policy).privacy_handlers(),
        keys=None,
    )


def register(broker: KafkaBroker, uow: UowFactory, policy: Policy | None = None) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("notifications", metadata.schema or "notifications", ERASURE_RULES)
    for consumer in consumers(uow, policy or Policy()):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    subscribe(broker, privacy_consumer(uow, policy or Policy()), batch=True)
    declare_publications(broker, ErasureAnswered)
