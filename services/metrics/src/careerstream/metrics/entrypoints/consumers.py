"""Kafka side of the metrics service: it consumes every topic into event facts."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.metrics import SnapshotTaken
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.metrics.adapters.orm import metadata
from careerstream.metrics.service_layer.projections import handler_groups
from careerstream.metrics.service_layer.replay import (
    batch_sharing_the_replay_lock,
    sharing_the_replay_lock,
)
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import (
    Pseudonymise,
    Rule,
    erasure_consumer,
)
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UowFactory


def consumers(uow: UowFactory) -> list[EventConsumer]:
    out = []
    for name, handlers, batch_handlers in handler_groups():
        batch = {m: batch_sharing_the_replay_lock(h) for m, h in batch_handlers.items()}
        single = {m: sharing_the_replay_lock(h) for m, h in handlers.items()}
        out.append(EventConsumer(name, uow, single, batch_handlers=batch))
    return out


ERASURE_RULES: list[Rule] = [
    Pseudonymise("employees", "manager_id"),
    Pseudonymise("employees", "employee_id", clear=("group_attributes",)),
    *(
        Pseudonymise(table, "employee_id")
        for table in (
            "applications",
            "goals",
            "passed_over",
            "survey_answers",
            "gap_observations",
            "conversations",
            "plans",
            "readiness",
        )
    ),
    Pseudonymise("conversations", "manager_id"),
    Pseudonymise("opportunities", "mover_id"),
    Pseudonymise("opportunities", "hiring_manager_id"),
]
"""Metrics keeps every fact (the company's figures for past periods must not change) under one
pseudonym per erasure, and drops the group attributes: nothing is left to tie the facts to the
person (the directory keeps no name or location). Fairness views count them as "not stated" from then on."""


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    for consumer in consumers(uow):
        subscribe(broker, consumer, batch=True)
    subscribe(broker, erasure_consumer("metrics", uow, metadata.schema or "metrics", ERASURE_RULES))
    declare_publications(broker, SnapshotTaken, ErasureAnswered)
