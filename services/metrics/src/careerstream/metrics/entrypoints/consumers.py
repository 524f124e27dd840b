"""Kafka side of the metrics service: it consumes every topic into event facts."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from faststream.kafka import KafkaBroker

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.metrics import SnapshotTaken
from careerstream.metrics.service_layer.projections import handler_groups
from careerstream.metrics.service_layer.replay import LOCK_KEY
from careerstream.servicekit.consumer import BatchHandler, EventConsumer, Handler
from careerstream.servicekit.subscriptions import declare_publications, subscribe
from careerstream.servicekit.uow import UnitOfWork, UowFactory


def _sharing_the_replay_lock(handler: Handler) -> Handler:
    """Each transaction holds the replay's lock in shared mode: a replay swaps tables while none runs."""

    async def handle(uow: UnitOfWork, event: Envelope, payload: Any) -> None:
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(LOCK_KEY)))
        await handler(uow, event, payload)

    return handle


def _batch_sharing_the_replay_lock(handler: BatchHandler) -> BatchHandler:
    async def handle(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(LOCK_KEY)))
        await handler(uow, events)

    return handle


def consumers(uow: UowFactory) -> list[EventConsumer]:
    out = []
    for name, handlers, batch_handlers in handler_groups():
        batch = {m: _batch_sharing_the_replay_lock(h) for m, h in batch_handlers.items()}
        single = {m: _sharing_the_replay_lock(h) for m, h in handlers.items()}
        out.append(EventConsumer(name, uow, single, batch_handlers=batch))
    return out


def register(broker: KafkaBroker, uow: UowFactory) -> None:
    """Declare this service's subscribers and publishers on `broker`."""
    for consumer in consumers(uow):
        subscribe(broker, consumer, batch=True)
    declare_publications(broker, SnapshotTaken)
