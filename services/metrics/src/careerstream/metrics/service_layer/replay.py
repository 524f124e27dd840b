"""Rebuild every projection from the start of the topics, then swap it in.

    python -m careerstream.metrics replay

1. Fresh copies of the projection tables are created in a shadow schema
   (`metrics_replay`).
2. Every message of every topic the service consumes is read from the
   beginning up to the end offsets of the moment, and applied with the very
   handlers the live consumers use (SQLAlchemy's schema translation sends their
   writes to the shadow tables), in batches, with progress shown.
3. Then, holding the lock the live consumers take for each transaction (so they
   pause), the replay reads what arrived meanwhile, and in the same
   transaction replaces each live table by its rebuilt copy.

Live consumers keep going during step 2 and resume after step 3 from their own
offsets. Messages they apply again are harmless: every handler sets facts and
is idempotent. Messages in the topics more than once (a relay that resent them)
are applied once: the replay remembers the event ids it applied.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.privacy import ErasureRequested
from careerstream.metrics.adapters.orm import PROJECTIONS, metadata
from careerstream.metrics.service_layer import views
from careerstream.metrics.service_layer.erasure import ERASURE_RULES
from careerstream.metrics.service_layer.projections import handler_groups
from careerstream.servicekit.consumer import BatchHandler, EventConsumer, Handler, Record, inbox_key
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.erasure import ErasureGuard
from careerstream.servicekit.kafka_security import KafkaSecurity
from careerstream.servicekit.uow import UnitOfWork
from careerstream.servicekit.wiring import uow_factory

LIVE, SHADOW = "metrics", "metrics_replay"
LOCK_KEY = 0x6D657472  # the advisory lock live consumers share and the swap takes alone


@dataclass
class Progress:
    """How far a replay is, shown on one terminal line."""

    total: int
    done: int = 0
    applied: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)

    def show(self, out: Callable[[str], object], final: bool = False) -> None:
        """Redraw the progress line (with a newline when `final`)."""
        pct = 100 * self.done / self.total if self.total else 100.0
        rate = self.done / max(1e-6, time.monotonic() - self.started)
        bar = "#" * int(pct / 4)
        end = "\n" if final else ""
        out(
            f"\r[{bar:<25}] {pct:5.1f}%  {self.done:,}/{self.total:,} messages  {rate:,.0f}/s  applied {self.applied:,}{end}"
        )


def _handlers() -> tuple[
    dict[str, tuple[type[Any], Handler]], dict[str, tuple[type[Any], BatchHandler]]
]:
    """The live consumers' handlers and batch handlers, by event type."""
    single: dict[str, tuple[type[Any], Handler]] = {}
    batch: dict[str, tuple[type[Any], BatchHandler]] = {}
    for _, group, batch_group in handler_groups():
        single.update({m.event_type: (m, h) for m, h in group.items()})
        batch.update({m.event_type: (m, h) for m, h in batch_group.items()})
    return single, batch


async def _create_shadow(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SHADOW}" CASCADE'))
        await conn.execute(sa.text(f'CREATE SCHEMA "{SHADOW}"'))
        shadow = sa.MetaData()
        for table in PROJECTIONS:
            table.to_metadata(shadow, schema=SHADOW)
        await conn.run_sync(shadow.create_all)


async def _ends(consumer: AIOKafkaConsumer, topics: list[str]) -> dict[TopicPartition, int]:
    # Tracked by the client first: `end_offsets` then knows the leaders without waiting out
    # metadata refreshes (about 1.4 s).
    await consumer._client.set_topics(topics)
    cluster = await consumer._client.fetch_all_metadata()
    tps = [
        TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())
    ]
    return dict(await consumer.end_offsets(tps)) if tps else {}


async def _apply_until(
    consumer: AIOKafkaConsumer,
    ends: Mapping[TopicPartition, int],
    positions: dict[TopicPartition, int],
    apply: Callable[[list[Any]], Awaitable[None]],
    progress: Progress,
    out: Callable[[str], object],
) -> None:
    """Apply every message before `ends`, in order per partition."""
    remaining = {tp for tp, end in ends.items() if positions.get(tp, 0) < end}
    last = 0.0
    while remaining:
        batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=2000)
        for tp, records in batches.items():
            mine = [r for r in records if r.offset < ends[tp]]
            await apply(mine)
            if mine:
                positions[tp] = mine[-1].offset + 1
            progress.done += len(mine)
            if positions.get(tp, 0) >= ends[tp]:
                remaining.discard(tp)
        if time.monotonic() - last > 0.5:
            progress.show(out)
            last = time.monotonic()


async def replay(
    database_url: str, bootstrap: str, *, out: Callable[[str], object] = sys.stdout.write
) -> Progress:
    """Rebuild the facts from the topics into a shadow schema, then swap it in."""
    engine = create_async_engine(database_url)
    shadow_engine = engine.execution_options(schema_translate_map={LIVE: SHADOW})
    uow = uow_factory(make_sessionmaker(shadow_engine), metadata, "metrics")
    handlers, batched = _handlers()
    # The directory applies whole runs at once, as the live consumer does (HRIS bursts).
    batch_handlers = {t: h for t, (_, h) in batched.items()}
    # Erasures are applied again to the rebuilt facts, under the pseudonyms the live tables
    # hold, and what the topics hold about an erased person lands under that pseudonym.
    # (The rules for the tables a replay rebuilds: the others stay where they are.)
    rebuilt = {t.name for t in PROJECTIONS}
    rules = [r for r in ERASURE_RULES if r.table in rebuilt]
    guard = ErasureGuard("metrics", SHADOW, rules, keep_facts=True, erased_schema=LIVE)

    async def on_erasure(u: UnitOfWork, envelope: Envelope, req: ErasureRequested) -> None:
        await guard.erase(u, envelope.tenantid, req.employee_id)

    handlers[ErasureRequested.event_type] = (ErasureRequested, on_erasure)
    models = {t: m for t, (m, _) in (*handlers.items(), *batched.items())}
    topics = sorted({model.topic for model in models.values()})
    # Records are read as the live consumers read them: sealed personal fields opened.
    reader = EventConsumer(
        "metrics-replay",
        uow,
        {m: h for m, h in handlers.values()},
        batch_handlers={m: h for m, h in batched.values()},
    )
    await _create_shadow(engine)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **KafkaSecurity.from_env().aiokafka(),
    )
    await consumer.start()
    seen: set[str] = set()
    progress = Progress(total=0)

    async def apply(records: list[Any]) -> None:
        if not records:
            return
        parsed = await reader.prepare(
            Record(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
            for r in records
        )
        todo = []
        for p in parsed:
            env = p.envelope
            if env is None or p.model is None or p.payload is None or inbox_key(env) in seen:
                progress.skipped += 1  # invalid, unsealable, another type, or a duplicate
                continue
            seen.add(inbox_key(env))
            todo.append((env, p.model, p.payload))
        async with uow() as u:
            screened = await guard.screen(u, todo)
            run: list[tuple[Any, Any]] = []  # consecutive events of one type with a batch handler

            async def flush() -> None:
                if run:
                    await batch_handlers[run[0][0].type](u, run)
                    run.clear()

            for (envelope, _, _), payload in zip(todo, screened.payloads, strict=True):
                if payload is None:
                    progress.skipped += 1
                    continue
                progress.applied += 1
                if run and run[0][0].type != envelope.type:
                    await flush()
                if envelope.type in batch_handlers:
                    run.append((envelope, payload))
                else:
                    await flush()
                    await handlers[envelope.type][1](u, envelope, payload)
            await flush()
            await guard.settle(u, screened)
            await u.commit()

    try:
        ends = await _ends(consumer, topics)
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        positions: dict[TopicPartition, int] = dict(await consumer.beginning_offsets(list(ends)))
        progress.total = sum(end - positions[tp] for tp, end in ends.items())
        out(f"replaying {progress.total:,} messages of {len(topics)} topics into {SHADOW}\n")
        await _apply_until(consumer, ends, positions, apply, progress, out)
        progress.show(out, final=True)

        # Pause the live consumers, catch up with what arrived meanwhile, and swap.
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            await conn.commit()  # the lock is the session's; the swap gets a transaction of its own
            try:
                final = await _ends(consumer, topics)
                progress.total += sum(end - positions.get(tp, 0) for tp, end in final.items())
                await _apply_until(consumer, final, positions, apply, progress, out)
                async with conn.begin():
                    for table in PROJECTIONS:
                        name = table.name
                        await conn.execute(sa.text(f'DROP TABLE "{LIVE}"."{name}"'))
                        await conn.execute(
                            sa.text(f'ALTER TABLE "{SHADOW}"."{name}" SET SCHEMA "{LIVE}"')
                        )
                    await conn.execute(sa.text(f'DROP SCHEMA "{SHADOW}" CASCADE'))
                    # Every answer kept was computed from the tables just replaced.
                    await conn.execute(
                        sa.text(
                            f'UPDATE "{LIVE}".facts_versions SET version = version + 1, '
                            "changed_at = clock_timestamp()"
                        )
                    )
            finally:
                await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                await conn.commit()
        out(
            f"swapped in: {progress.applied:,} events applied, {progress.skipped:,} skipped (duplicates, other types, invalid)\n"
        )
    finally:
        await consumer.stop()
        await engine.dispose()
    return progress


def sharing_the_replay_lock(handler: Handler) -> Handler:
    """Each transaction holds the replay's lock in shared mode: a replay swaps tables while none runs."""

    async def handle(uow: UnitOfWork, event: Envelope, payload: Any) -> None:
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(LOCK_KEY)))
        await handler(uow, event, payload)
        views.touched(uow, [event.tenantid])

    return handle


def batch_sharing_the_replay_lock(handler: BatchHandler) -> BatchHandler:
    """`sharing_the_replay_lock` for a batch handler."""

    @functools.wraps(handler)
    async def handle(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(LOCK_KEY)))
        await handler(uow, events)
        views.touched(uow, (event.tenantid for event, _ in events))

    return handle
