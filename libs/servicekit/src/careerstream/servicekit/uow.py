"""The unit of work: one transaction, the only thing that commits.

State changes and the events they cause are written together: `publish`
adds an outbox row to the same transaction, nothing else. The relay sends it
to Kafka after the commit. A rolled-back unit of work publishes nothing.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

from opentelemetry import baggage, propagate, trace
from sqlalchemy import Table, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import CONTENT_TYPE, Message, new_message
from careerstream.servicekit import clock
from careerstream.servicekit.db import copy_records
from careerstream.servicekit.runtime_tables import OUTBOX_LANES

COPY_THRESHOLD = 50
"""From this many events in one unit of work, the outbox rows are written with COPY."""


def lane_of(key: str) -> int:
    """The outbox lane of a message key (stable across processes and versions)."""
    return zlib.crc32(key.encode()) % OUTBOX_LANES


def trace_headers() -> dict[str, str]:
    """The current W3C trace context, to be carried with an outgoing event.

    Without a trace in progress and without baggage there is nothing to carry: the
    propagators are not asked (they cost a consumer a tenth of its time per published event).
    """
    if not trace.get_current_span().get_span_context().is_valid and not baggage.get_all():
        return {}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


class DeferredCommits:
    """The units of work of one request whose commit waits for its response (see idempotency)."""

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self.task = task
        self.units: list[UnitOfWork] = []

    async def finish(self, *, commit: bool) -> None:
        """Commit (in order) or roll back every deferred unit of work, and close them."""
        units, self.units = self.units, []
        for i, unit in enumerate(units):
            try:
                await unit.end(commit=commit)
            except BaseException:
                for rest in units[i + 1 :]:
                    await rest.end(commit=False)
                raise


deferring: ContextVar[DeferredCommits | None] = ContextVar("careerstream_deferring", default=None)
"""Set while a request with an Idempotency-Key runs: its commits wait for its response."""


class UnitOfWork:
    """`async with uow_factory() as uow: ...; await uow.commit()`; leaving without commit rolls back."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        outbox: Table,
        inbox: Table,
        source: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._outbox = outbox
        self._inbox = inbox
        self._source = source
        self._pending: list[dict[str, Any]] = []
        self._session: AsyncSession | None = None
        self._deferred = False
        self._before_commit: dict[Hashable, Callable[[AsyncSession], Awaitable[None]]] = {}

    def before_commit(self, key: Hashable, step: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Run `step` in this transaction just before it commits, once per `key` (the last
        registered for a key wins). For a write that must be atomic with the rest but should
        hold its row lock as briefly as possible, e.g. a version counter many transactions
        bump."""
        self._before_commit[key] = step

    @property
    def idempotency_table(self) -> Table:
        """The service's idempotency table."""
        md = self._outbox.metadata
        return md.tables[f"{md.schema}.idempotency" if md.schema else "idempotency"]

    @property
    def session(self) -> AsyncSession:
        """The open session; only inside `async with`."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._deferred = False
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._deferred and exc_type is None:
            return  # committed (or not) with the request's response: see `DeferredCommits`
        deferred = deferring.get()
        if deferred is not None and self in deferred.units:
            deferred.units.remove(self)
        await self.end(commit=False)

    async def end(self, *, commit: bool) -> None:
        """Commit or roll back what is still open, and close the session."""
        try:
            if commit:
                await self.session.commit()
            elif self.session.in_transaction():
                await self.session.rollback()
        finally:
            self._pending.clear()
            self._before_commit.clear()
            self._deferred = False
            await self.session.close()
            self._session = None

    def publish(
        self, payload: EventPayload, *, tenant_id: str, topic: str | None = None
    ) -> Message:
        """Record an event to be published once (and only if) this unit of work commits.

        `topic` overrides the contract's topic (tests give each run its own topics).
        """
        message = new_message(payload, tenant_id=tenant_id, source=self._source, time=clock.now())
        self.publish_raw(
            topic=topic or payload.topic,
            key=message.key,
            value=message.value,
            event_id=message.id,
            event_type=message.type,
            headers={"content-type": CONTENT_TYPE, **trace_headers()},
        )
        return message

    def publish_all(self, events: Sequence[EventPayload], *, tenant_id: str) -> None:
        """`publish` each of an aggregate's recorded events, in order."""
        for event in events:
            self.publish(event, tenant_id=tenant_id)

    def publish_raw(
        self,
        *,
        topic: str,
        key: str,
        value: bytes,
        event_id: str,
        event_type: str,
        headers: dict[str, str],
    ) -> None:
        """Record an already-encoded message (dead letters, replays) for the relay."""
        self._pending.append(
            {
                "event_id": event_id,
                "event_type": event_type,
                "topic": topic,
                "message_key": key,
                "lane": lane_of(key),
                "value": value,
                "headers": headers,
            }
        )

    async def claim(self, consumer: str, event_id: str) -> bool:
        """Mark `event_id` applied by `consumer`; False when it already was (skip it)."""
        stmt = (
            pg_insert(self._inbox)
            .values(consumer=consumer, event_id=event_id)
            .on_conflict_do_nothing()
            .returning(self._inbox.c.event_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def claim_many(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Claim many event ids in one statement; returns those not applied before."""
        if not event_ids:
            return set()
        inbox = self._inbox
        fq = f'"{inbox.schema}"."{inbox.name}"' if inbox.schema else f'"{inbox.name}"'
        stmt = text(
            f"INSERT INTO {fq} (consumer, event_id) "
            "SELECT :consumer, unnest(CAST(:ids AS text[])) "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        )
        result = await self.session.execute(stmt, {"consumer": consumer, "ids": list(event_ids)})
        return {row[0] for row in result}

    async def flush_outbox(self) -> None:
        """Write the pending outbox rows into this transaction (one COPY when there are many)."""
        if not self._pending:
            return
        if len(self._pending) < COPY_THRESHOLD:
            await self.session.execute(insert(self._outbox), self._pending)
        else:
            await self._copy_outbox()
        self._pending.clear()

    async def _copy_outbox(self) -> None:
        columns = ("event_id", "event_type", "topic", "message_key", "lane", "value", "headers")
        await copy_records(
            self.session,
            self._outbox.name,
            columns,
            [
                (*(row[c] for c in columns[:-1]), json.dumps(row["headers"]))
                for row in self._pending
            ],
            schema=self._outbox.schema,
        )

    async def commit(self) -> None:
        """Write the outbox rows and commit (with an Idempotency-Key: with the response)."""
        await self.flush_outbox()
        steps = list(self._before_commit.values())
        self._before_commit.clear()
        for step in steps:
            await step(self.session)
        deferred = deferring.get()
        if deferred is not None and deferred.task is asyncio.current_task():
            # Part of a request with an Idempotency-Key: written now, committed with its response.
            await self.session.flush()
            if self not in deferred.units:
                deferred.units.append(self)
            self._deferred = True
            return
        await self.session.commit()

    async def rollback(self) -> None:
        """Forget pending events and roll back."""
        self._pending.clear()
        self._before_commit.clear()
        await self.session.rollback()


UowFactory = Callable[[], UnitOfWork]
