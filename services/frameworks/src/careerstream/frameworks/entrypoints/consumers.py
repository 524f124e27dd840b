"""Kafka side of the frameworks service: it publishes framework versions, and erases people."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.frameworks.adapters.orm import metadata
from careerstream.servicekit.erasure import Pseudonymise, Rule, erasure_consumer
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory

ERASURE_RULES: list[Rule] = [
    Pseudonymise("framework_versions", "created_by"),
    Pseudonymise("framework_versions", "published_by"),
]
"""Frameworks hold no one's career data; the HR admins who wrote them become pseudonyms."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    subscribe(
        broker, erasure_consumer("frameworks", uow, metadata.schema or "frameworks", ERASURE_RULES)
    )
    declare_publications(broker, FrameworkPublished, FrameworkRetired, ErasureAnswered)
