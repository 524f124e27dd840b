"""Kafka side of the frameworks service: it publishes framework versions, keeps the people
directory (whose pay band is whose), and erases people."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.frameworks import (
    FrameworkPublished,
    FrameworkRetired,
    SkillChanged,
    SkillLibraryImported,
)
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.frameworks.adapters.orm import employees, metadata
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import ErasureGuard, Pseudonymise, Rule, people_rules
from careerstream.servicekit.people import PeopleProjection
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory

ERASURE_RULES: list[Rule] = [
    *people_rules(),
    Pseudonymise("framework_versions", "created_by"),
    Pseudonymise("framework_versions", "published_by"),
    Pseudonymise("pay_bands", "updated_by"),
    Pseudonymise("skill_library", "imported_by"),
    Pseudonymise("skill_library_imports", "imported_by"),
]
"""Frameworks hold no one's career data: the directory row (role, location) goes; the HR
admins who wrote frameworks and bands become pseudonyms."""


def consumers(uow: UowFactory) -> list[EventConsumer]:
    return [
        # The directory takes whole batches (one read and one write each): HRIS bursts.
        EventConsumer(
            "frameworks-people",
            uow,
            {},
            batch_handlers=PeopleProjection(employees).batch_handlers(),
        ),
    ]


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("frameworks", metadata.schema or "frameworks", ERASURE_RULES)
    for consumer in consumers(uow):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    declare_publications(
        broker,
        FrameworkPublished,
        FrameworkRetired,
        SkillChanged,
        SkillLibraryImported,
        ErasureAnswered,
    )
