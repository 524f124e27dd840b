"""Kafka side of the metrics service: it consumes every topic into event facts."""

from faststream.kafka import KafkaBroker

from careerstream.contracts.events.metrics import SnapshotTaken
from careerstream.contracts.events.privacy import ErasureAnswered
from careerstream.metrics.adapters.orm import metadata
from careerstream.metrics.service_layer.erasure import ERASURE_RULES as ERASURE_RULES
from careerstream.metrics.service_layer.projections import handler_groups
from careerstream.metrics.service_layer.replay import (
    batch_sharing_the_replay_lock,
    sharing_the_replay_lock,
)
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.erasure import (
    ErasureGuard,
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


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    guard = ErasureGuard("metrics", metadata.schema or "metrics", ERASURE_RULES, keep_facts=True)
    for consumer in consumers(uow):
        subscribe(broker, guard.protect(consumer), batch=True)
    subscribe(broker, guard.consumer(uow))
    declare_publications(broker, SnapshotTaken, ErasureAnswered)
