"""Idempotent event consumers: parse, check the inbox, handle, commit, then commit the offset.

For each message, in one database transaction: the inbox row
(consumer, event id), the handler's effects and any events it publishes (outbox).
The Kafka offset is committed only after that transaction commits, so a crash
anywhere re-delivers the message and the inbox makes the second delivery a no-op.

Failures never block a partition:
- not JSON, not a CloudEvent, or data that fails its schema: dead-lettered at once;
- an unknown event type: skipped (a newer producer; we do not need it);
- a handler error: retried with backoff `max_attempts` times, then dead-lettered;
- the database or broker unreachable: retried until they return (nothing can be
  processed without them, and dead-lettering then would lose good messages).

A dead letter goes to `<topic>.dlq` through the outbox, with headers naming the
reason, the error, the original topic, partition and offset, and the consumer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from prometheus_client import Counter
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import Envelope, InvalidEvent, decode, parse_data
from careerstream.contracts.topics import dlq_topic
from careerstream.servicekit import clock, telemetry
from careerstream.servicekit.keys import KeyClient, KeyUnavailable, process_key_client
from careerstream.servicekit.sealing import DataKey, Unsealable, open_sealed
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("careerstream.servicekit.consumer")

HANDLED = Counter("careerstream_events_handled_total", "Events applied", ["consumer"])
DUPLICATES = Counter("careerstream_events_duplicate_total", "Redeliveries skipped", ["consumer"])
SKIPPED = Counter("careerstream_events_skipped_total", "Unknown event types skipped", ["consumer"])
RETRIED = Counter("careerstream_events_retried_total", "Handler retries", ["consumer"])
FAILED = Counter("careerstream_events_failed_total", "Handler failures", ["consumer"])
DEAD = Counter("careerstream_events_dead_lettered_total", "Events sent to a DLQ", ["consumer"])
OPEN_WAIT = Counter(
    "careerstream_consumer_open_wait_seconds_total",
    "Time a batch waited, its inbox rows claimed, for its payloads to be opened (data keys "
    "fetched) and validated",
    ["consumer"],
)

Handler = Callable[[UnitOfWork, Envelope, Any], Awaitable[None]]
"""Applies one event: `async def h(uow, envelope, payload)`."""

BatchHandler = Callable[[UnitOfWork, Sequence[tuple[Envelope, Any]]], Awaitable[None]]
"""Applies consecutive events of one type at once, in order: `async def h(uow, [(envelope, payload), ...])`.

For throughput: a handler that writes with one `executemany` per batch instead of
one statement per event. It gets only events not applied before (the inbox is
checked for the whole batch in one statement).
"""


def inbox_key(envelope: Envelope) -> str:
    """What the inbox records of an event: what CloudEvents makes unique, in its tenant.

    CloudEvents makes `source` + `id` unique, not `id` alone; a customer's producer (or two
    simulations with the same seed) may reuse ids across tenants, so the tenant is part of
    the key too. Neither a tenant id nor a source holds `|`, so the key is unambiguous.
    """
    return f"{envelope.tenantid}|{envelope.source}|{envelope.id}"


@dataclass(frozen=True)
class Record:
    """A Kafka message, independent of the client library."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()


def is_transient(exc: BaseException) -> bool:
    """Errors of the infrastructure (connection lost, server restarting), not of the message."""
    if isinstance(exc, OSError | ConnectionError | InterfaceError | asyncio.TimeoutError):
        return True
    if isinstance(exc, OperationalError | DBAPIError) and exc.connection_invalidated:
        return True
    name = type(getattr(exc, "orig", exc)).__name__
    return name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "AdminShutdownError",
        "InterfaceError",
        "TooManyConnectionsError",
    }


class Screen(Protocol):
    payloads: list[Any]
    aliases: Any


class Guard(Protocol):
    """Takes what must not be applied out of a batch (`erasure.ErasureGuard`)."""

    async def screen(
        self, uow: UnitOfWork, events: Sequence[tuple[Envelope, type[Any], Any]]
    ) -> Screen: ...

    async def settle(self, uow: UnitOfWork, screened: Any) -> None: ...


H = TypeVar("H")


def reads_personal(handler: H, pointers: Iterable[str]) -> H:
    """Say which personal fields (JSON Pointer templates of the payload, `*` for any array
    index) `handler` reads. A consumer opens an event only when its sealed fields include one
    of them: the others keep their erased form, and no key is fetched for them. A handler
    that says nothing reads them all. Wrappers made with `functools.wraps` keep it."""
    handler.personal_reads = frozenset(pointers)  # type: ignore[attr-defined]
    return handler


def _reads_of(handler: object) -> frozenset[str] | None:
    reads = getattr(handler, "personal_reads", None)
    return reads if isinstance(reads, frozenset) else None


def _matches(pointer: str, template: str) -> bool:
    a, b = pointer.split("/"), template.split("/")
    return len(a) == len(b) and all(t in ("*", x) for x, t in zip(a, b, strict=True))


def _wanted(sealed: object, reads: frozenset[str]) -> bool:
    """Whether any sealed pointer is one the handler reads."""
    if not isinstance(sealed, dict):
        return False
    return any(_matches(p, t) for p in sealed for t in reads)


class _Unfit(Exception):
    """A batch holds an event that cannot be applied (it is dead-lettered on its own)."""


@dataclass
class _Parsed:
    record: Record
    envelope: Envelope | None = None
    payload: EventPayload | None = None
    model: type[EventPayload] | None = None
    handler: Handler | None = None
    problem: tuple[str, str] | None = None  # (reason, detail) when it must be dead-lettered


@dataclass
class EventConsumer:
    """One named consumer (its own inbox and consumer group) with a handler per event type."""

    name: str
    uow_factory: UowFactory
    handlers: dict[type[EventPayload], Handler]
    batch_handlers: dict[type[EventPayload], BatchHandler] = field(default_factory=dict)
    max_attempts: int = 5
    backoff_base: float = 0.2
    backoff_max: float = 10.0
    topics_override: list[str] | None = None
    """Consume these topics instead of the contract's (tests give each run its own)."""
    keys: KeyClient | None = field(default_factory=process_key_client)
    """Opens sealed personal fields; the process's client unless given."""
    guard: Guard | None = None
    """Takes the people the service erased out of what it applies (`erasure.ErasureGuard`)."""
    _by_type: dict[str, tuple[type[EventPayload], Handler]] = field(init=False)
    _batch_by_type: dict[str, BatchHandler] = field(init=False)
    _reads: dict[str, frozenset[str] | None] = field(init=False)

    def __post_init__(self) -> None:
        both = set(self.handlers) & set(self.batch_handlers)
        if both:
            names = ", ".join(sorted(m.event_type for m in both))
            raise ValueError(f"{self.name}: both a handler and a batch handler for {names}")
        self._batch_by_type = {m.event_type: h for m, h in self.batch_handlers.items()}
        self._by_type = {m.event_type: (m, h) for m, h in self.handlers.items()}
        for model, batch in self.batch_handlers.items():
            self._by_type[model.event_type] = (model, _single(batch))
        self._reads = {
            m.event_type: _reads_of(h)
            for m, h in (*self.handlers.items(), *self.batch_handlers.items())
        }

    @property
    def topics(self) -> list[str]:
        """The topics this consumer reads, sorted."""
        if self.topics_override:
            return list(self.topics_override)
        return sorted({m.topic for m in (*self.handlers, *self.batch_handlers)})

    # -- parsing ---------------------------------------------------------------------------

    def _parse(self, record: Record) -> _Parsed:
        parsed = _Parsed(record)
        try:
            env = decode(record.value)
        except InvalidEvent as exc:
            parsed.problem = ("invalid-event", str(exc))
            return parsed
        parsed.envelope = env
        known = self._by_type.get(env.type)
        if known is None:
            return parsed
        parsed.model, parsed.handler = known
        return parsed

    async def prepare(self, records: Iterable[Record]) -> list[_Parsed]:
        """Decode, open and validate records as this consumer would (a rebuild reads this way)."""
        return await self._prepare(records)

    async def _prepare(self, records: Iterable[Record]) -> list[_Parsed]:
        """Decode, open sealed personal fields (keys fetched in one call per tenant), validate."""
        parsed, sealed = self._decode(records)
        self._open(parsed, await self._fetch(sealed))
        return parsed

    def _decode(self, records: Iterable[Record]) -> tuple[list[_Parsed], dict[str, set[str]]]:
        """Decode records; and the keys (kids by tenant) that their sealed fields need."""
        parsed = [self._parse(r) for r in records]
        sealed: dict[str, set[str]] = {}
        for p in parsed:
            env = p.envelope
            if p.handler is not None and env is not None and env.kid and env.data.get("sealed"):
                reads = self._reads.get(env.type)
                if reads is not None and not _wanted(env.data["sealed"], reads):
                    del env.data["sealed"]  # nothing it reads: the erased forms, and no key
                    continue
                sealed.setdefault(env.tenantid, set()).add(env.kid)
        return parsed, sealed

    async def _fetch(self, sealed: dict[str, set[str]]) -> dict[tuple[str, str], DataKey | None]:
        """The keys named, by (tenant, kid): from the cache, or one call per tenant."""
        keys: dict[tuple[str, str], DataKey | None] = {}
        if sealed and self.keys is not None and self.keys.enabled:
            for tenant, kids in sealed.items():
                for kid, key in (await self.keys.by_kids(tenant, kids)).items():
                    keys[(tenant, kid)] = key
        return keys

    def _open(self, parsed: list[_Parsed], keys: dict[tuple[str, str], DataKey | None]) -> None:
        """Open the sealed fields with `keys` and validate each payload (problems are noted)."""
        for p in parsed:
            env = p.envelope
            if p.handler is None or env is None or p.model is None:
                continue
            if env.kid and "sealed" in env.data:
                try:
                    open_sealed(env.data, env.id, keys.get((env.tenantid, env.kid)))
                except Unsealable as exc:
                    p.problem = ("unsealable", str(exc))
                    continue
            try:
                p.payload = parse_data(env, p.model)
            except InvalidEvent as exc:
                p.problem = ("schema-violation", str(exc))

    # -- one message -----------------------------------------------------------------------

    async def process(self, record: Record) -> str:
        """Apply one message. Returns applied, duplicate, skipped or dead-lettered."""
        while True:
            try:
                (p,) = await self._prepare([record])
                break
            except KeyUnavailable as exc:
                await self._pause(1, exc, transient=True)
        if p.problem is not None:
            await self._dead_letter(record, *p.problem, attempts=0)
            return "dead-lettered"
        if p.handler is None or p.envelope is None:
            SKIPPED.labels(self.name).inc()
            return "skipped"
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._apply_one(p)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    await self._pause(attempt, exc, transient=True)
                    attempt = 0
                    continue
                FAILED.labels(self.name).inc()
                if attempt >= self.max_attempts:
                    detail = "".join(traceback.format_exception_only(exc)).strip()
                    await self._dead_letter(record, "handler-error", detail, attempts=attempt)
                    return "dead-lettered"
                RETRIED.labels(self.name).inc()
                await self._pause(attempt, exc, transient=False)

    async def _apply_one(self, p: _Parsed) -> str:
        assert p.envelope is not None
        assert p.handler is not None
        assert p.model is not None
        async with self.uow_factory() as uow:
            if not await uow.claim(self.name, inbox_key(p.envelope)):
                DUPLICATES.labels(self.name).inc()
                return "duplicate"
            payload: Any = p.payload
            screened = None
            if self.guard is not None:
                screened = await self.guard.screen(uow, [(p.envelope, p.model, p.payload)])
                payload = screened.payloads[0]
            if payload is not None:
                with clock.at(p.envelope.time):
                    await p.handler(uow, p.envelope, payload)
            if screened is not None:
                await self.guard.settle(uow, screened)  # type: ignore[union-attr]
            await uow.commit()
        HANDLED.labels(self.name).inc()
        return "applied"

    # -- a batch in one transaction --------------------------------------------------------

    async def process_batch(self, records: Iterable[Record]) -> list[str]:
        """Apply many messages (of one partition) in one transaction, in order.

        The inbox is checked for the whole batch in one statement; runs of
        consecutive events of a type with a batch handler go to it at once. On
        any failure the batch is rolled back and applied one by one, so a bad
        message is retried and dead-lettered alone.
        """
        records = list(records)
        while True:
            parsed, sealed = self._decode(records)
            if any(p.problem is not None for p in parsed):
                return await self._one_by_one(parsed)
            # The keys are fetched and the payloads opened and validated while the inbox is
            # claimed: the claim's round trip to the database overlaps them.
            opening = asyncio.ensure_future(self._open_with_keys(parsed, sealed))
            try:
                return await self._apply_batch(parsed, opening)
            except KeyUnavailable as exc:
                await self._pause(1, exc, transient=True)
            finally:
                _settle(opening)

    async def _open_with_keys(self, parsed: list[_Parsed], sealed: dict[str, set[str]]) -> None:
        self._open(parsed, await self._fetch(sealed))

    async def _apply_batch(
        self,
        parsed: list[_Parsed],
        opening: asyncio.Future[None],
    ) -> list[str]:
        outcomes: list[str] = []
        spans: list[Span] = []
        exporting = telemetry.exporting()
        try:
            async with self.uow_factory() as uow:
                ids = [inbox_key(p.envelope) for p in parsed if p.handler and p.envelope]
                fresh = await uow.claim_many(self.name, ids)
                started = time.perf_counter()
                await opening
                OPEN_WAIT.labels(self.name).inc(time.perf_counter() - started)
                if any(p.problem is not None for p in parsed):
                    raise _Unfit  # rolled back; each event alone, the unfit ones dead-lettered
                screened = None
                payloads: dict[int, Any] = {}
                if self.guard is not None:
                    todo = [
                        (n, p) for n, p in enumerate(parsed) if p.handler and p.envelope and p.model
                    ]
                    screened = await self.guard.screen(
                        uow,
                        [(p.envelope, p.model, p.payload) for _, p in todo],  # type: ignore[misc]
                    )
                    payloads = {n: screened.payloads[i] for i, (n, _) in enumerate(todo)}
                run: list[tuple[Envelope, Any]] = []
                run_type = ""
                for n, p in enumerate(parsed):
                    if p.handler is None or p.envelope is None:
                        outcomes.append("skipped")
                        continue
                    key = inbox_key(p.envelope)
                    if key not in fresh:
                        outcomes.append("duplicate")
                        continue
                    fresh.discard(key)  # the same event twice in a batch: once
                    payload = payloads[n] if screened is not None else p.payload
                    if payload is None:
                        outcomes.append("skipped")  # about someone erased here
                        continue
                    outcomes.append("applied")
                    batch = self._batch_by_type.get(p.envelope.type)
                    # A batch handler runs outside any one event's span: unless spans are
                    # exported, the event needs none.
                    span = None
                    if batch is None or exporting:
                        span = self._event_span(p, len(parsed))
                        spans.append(span)
                    if run and p.envelope.type != run_type:
                        with clock.at(run[-1][0].time):
                            await self._batch_by_type[run_type](uow, run)
                        run = []
                    if batch is None:
                        assert span is not None
                        with trace.use_span(span, end_on_exit=False), clock.at(p.envelope.time):
                            await p.handler(uow, p.envelope, payload)
                    else:
                        run.append((p.envelope, payload))
                        run_type = p.envelope.type
                if run:
                    with clock.at(run[-1][0].time):
                        await self._batch_by_type[run_type](uow, run)
                if screened is not None:
                    await self.guard.settle(uow, screened)  # type: ignore[union-attr]
                await uow.commit()
        except asyncio.CancelledError:
            _end(spans, "cancelled")
            raise
        except KeyUnavailable:
            raise  # nothing to apply one by one: the batch waits for the keys
        except _Unfit:
            return await self._one_by_one(parsed)
        except Exception as exc:
            _end(spans, f"batch failed: {exc!r}")
            log.info("batch of %d failed (%r); applying one by one", len(parsed), exc)
            return await self._one_by_one(parsed)
        _end(spans)
        HANDLED.labels(self.name).inc(outcomes.count("applied"))
        DUPLICATES.labels(self.name).inc(outcomes.count("duplicate"))
        SKIPPED.labels(self.name).inc(outcomes.count("skipped"))
        return outcomes

    async def _one_by_one(self, parsed: list[_Parsed]) -> list[str]:
        outcomes = []
        for p in parsed:
            with trace.use_span(self._event_span(p, 1), end_on_exit=True):
                outcomes.append(await self.process(p.record))
        return outcomes

    def _event_span(self, p: _Parsed, batch_size: int) -> Span:
        """A consumer span for one event of a batch, in the trace of the request that caused it.

        FastStream gives a batch one span that only links to its messages' traces;
        this span continues each message's own trace, so one trace id follows a
        request through every service (and what the handler publishes carries it on).
        """
        carrier = {k: v.decode(errors="replace") for k, v in p.record.headers}
        context = propagate.extract(carrier)
        if not telemetry.exporting():
            # Nobody would see the span: carry the trace on (logs, what the handler publishes)
            # without the cost of recording one per event.
            return trace.NonRecordingSpan(trace.get_current_span(context).get_span_context())
        attributes: dict[str, str | int] = {
            "messaging.system": "kafka",
            "messaging.destination.name": p.record.topic,
            "messaging.kafka.destination.partition": p.record.partition,
            "messaging.kafka.message.offset": p.record.offset,
            "messaging.batch.message_count": batch_size,
            "careerstream.consumer": self.name,
        }
        if p.envelope is not None:
            attributes["messaging.message.id"] = p.envelope.id
            attributes["cloudevents.event_type"] = p.envelope.type
        return _tracer.start_span(
            f"{self.name} apply",
            context=context,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        )

    # -- failures --------------------------------------------------------------------------

    async def _pause(self, attempt: int, exc: BaseException, *, transient: bool) -> None:
        delay = min(self.backoff_max, self.backoff_base * (2 ** min(attempt, 10)))
        log.warning(
            "%s: %s error (attempt %d), retrying in %.1fs: %r",
            self.name,
            "transient" if transient else "handler",
            attempt,
            delay,
            exc,
        )
        await asyncio.sleep(delay)

    async def _dead_letter(
        self, record: Record, reason: str, detail: str, *, attempts: int
    ) -> None:
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
        headers.update(
            {
                "x-dlq-reason": reason,
                "x-dlq-error": detail[:2000],
                "x-original-topic": record.topic,
                "x-original-partition": str(record.partition),
                "x-original-offset": str(record.offset),
                "x-consumer": self.name,
                "x-attempts": str(attempts),
            }
        )
        position = f"dlq:{record.topic}/{record.partition}/{record.offset}"
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.uow_factory() as uow:
                    # Keyed by position, not event id, so that a replayed message is applied.
                    if await uow.claim(self.name, position):
                        uow.publish_raw(
                            topic=dlq_topic(record.topic),
                            key=(record.key or b"").decode(errors="replace"),
                            value=record.value or b"",
                            event_id=position,
                            event_type="careerstream.dead-letter",
                            headers=headers,
                        )
                    await uow.commit()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is the only way out; wait for it
                await self._pause(attempt, exc, transient=True)
        DEAD.labels(self.name).inc()
        log.error(
            "%s: dead-lettered %s/%d@%d: %s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            reason,
            detail[:300],
        )


def _end(spans: list[Span], error: str | None = None) -> None:
    for span in spans:
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, error))
        span.end()


def _settle(task: asyncio.Future[Any]) -> None:
    """Cancel a fetch no longer waited for, or take its error (it was handled, or is moot)."""
    if not task.done():
        task.cancel()
    elif not task.cancelled():
        task.exception()


def _single(batch: BatchHandler) -> Handler:
    """A batch handler used for one event."""

    async def handle(uow: UnitOfWork, envelope: Envelope, payload: Any) -> None:
        await batch(uow, [(envelope, payload)])

    return handle
