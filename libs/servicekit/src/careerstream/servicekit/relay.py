"""The outbox relay: publishes committed outbox rows to Kafka, in order per key.

Safe with several replicas: each relay leases lanes (`outbox_lane`, claimed
with `FOR UPDATE SKIP LOCKED`, held for `lease_seconds` and renewed each
round). Relays announce themselves in `outbox_relay` (a heartbeat), and each
holds at most its fair share of the lanes (lanes / live relays), handing the
rest back, so a new replica gets work within one round. Only a lane's holder publishes its rows, oldest first, so one key's
events leave in the order they were written. A relay that dies loses its
lease and another takes its lanes over; rows it sent but had not yet deleted
are sent again (duplicates, never losses; consumers drop them by event id).

It wakes on LISTEN/NOTIFY but never depends on it: it also polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge

from careerstream.contracts.personal import KID_ATTRIBUTE
from careerstream.servicekit.kafka_security import KafkaSecurity
from careerstream.servicekit.keys import KeyClient
from careerstream.servicekit.runtime_tables import OUTBOX_LANES, notify_channel
from careerstream.servicekit.sealing import PERSONAL_TYPES, DataKey, seal, subject_of

log = logging.getLogger(__name__)

PUBLISHED = Counter("careerstream_outbox_published_total", "Outbox rows published", ["service"])
BACKLOG = Gauge("careerstream_outbox_backlog", "Outbox rows not yet published", ["service"])
OLDEST = Gauge(
    "careerstream_outbox_oldest_age_seconds", "Age of the oldest unpublished row", ["service"]
)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq (and asyncpg's LISTEN connection) reads it."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class OutboxRelay:
    """Sends committed outbox rows to Kafka, in order per lane, sharing lanes among replicas."""

    database_url: str
    schema: str
    bootstrap_servers: str
    service: str = ""
    batch_size: int = 1000
    lease_seconds: float = 10.0
    poll_interval: float = 0.5
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    keys: KeyClient | None = None
    """Seals personal fields before they leave; without it (or its URL) nothing is sealed."""

    _producer: AIOKafkaProducer | None = None
    _pool: asyncpg.Pool | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Connect to Kafka and PostgreSQL."""
        self._pool = await asyncpg.create_pool(libpq_url(self.database_url), min_size=1, max_size=2)
        self._producer = AIOKafkaProducer(
            **KafkaSecurity.from_env().aiokafka(),
            bootstrap_servers=self.bootstrap_servers,
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            max_batch_size=1024 * 1024,
            client_id=f"careerstream-{self.service or self.schema}-relay",
        )
        await self._producer.start()

    async def stop(self) -> None:
        """Release this replica's lanes and close its connections."""
        if self._producer is not None:
            await self._producer.stop()
        if self._pool is not None:
            async with self._pool.acquire() as conn:
                # Hand our lanes back at once instead of making others wait for the lease.
                await conn.execute(
                    f'UPDATE "{self.schema}".outbox_lane SET owner = NULL, lease_until = now() '
                    f"WHERE owner = $1",
                    self.owner,
                )
                await conn.execute(
                    f'DELETE FROM "{self.schema}".outbox_relay '
                    f"WHERE owner = $1 OR seen_until < now() - interval '1 hour'",
                    self.owner,
                )
            await self._pool.close()

    async def run(self, stopping: asyncio.Event) -> None:
        """Publish until `stopping` is set; LISTEN wakes it early, polling keeps it honest."""
        assert self._pool is not None
        listener = await asyncpg.connect(libpq_url(self.database_url))
        await listener.add_listener(notify_channel(self.schema), lambda *_: self._wake.set())

        async def wake_on_stop() -> None:  # a stop does not wait out the poll interval
            await stopping.wait()
            self._wake.set()

        stop_watch = asyncio.create_task(wake_on_stop(), name="outbox-relay-stop")
        try:
            while not stopping.is_set():
                try:
                    sent = await self.run_once()
                except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                    log.warning("outbox relay round failed, retrying: %r", exc)
                    sent = 0
                    await asyncio.sleep(1.0)
                if sent >= self.batch_size:
                    continue  # more is waiting
                self._wake.clear()
                if stopping.is_set():
                    break
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        finally:
            stop_watch.cancel()
            with contextlib.suppress(Exception):
                await listener.close()

    async def _claim_lanes(self, conn: asyncpg.Connection) -> list[int]:
        """Heartbeat, hand back lanes beyond our fair share, then lease up to that share."""
        async with conn.transaction():
            live = await conn.fetchval(
                f"""
                WITH beat AS (
                    INSERT INTO "{self.schema}".outbox_relay (owner, seen_until)
                    VALUES ($1, now() + make_interval(secs => $2))
                    ON CONFLICT (owner) DO UPDATE SET seen_until = excluded.seen_until
                    RETURNING owner)
                SELECT 1 + count(*) FROM "{self.schema}".outbox_relay
                 WHERE seen_until > now() AND owner <> $1
                """,
                self.owner,
                self.lease_seconds,
            )
            share = -(-OUTBOX_LANES // int(live))
            await conn.execute(
                f"""
                UPDATE "{self.schema}".outbox_lane SET owner = NULL, lease_until = now()
                 WHERE lane IN (SELECT lane FROM "{self.schema}".outbox_lane
                                 WHERE owner = $1 ORDER BY lane OFFSET $2)
                """,
                self.owner,
                share,
            )
        rows = await conn.fetch(
            f"""
            UPDATE "{self.schema}".outbox_lane l
               SET owner = $1, lease_until = now() + make_interval(secs => $2)
             WHERE l.lane IN (
                   SELECT lane FROM "{self.schema}".outbox_lane
                    WHERE owner = $1 OR owner IS NULL OR lease_until < now()
                    ORDER BY (owner IS NOT DISTINCT FROM $1) DESC, lane
                    LIMIT $3
                    FOR UPDATE SKIP LOCKED)
            RETURNING l.lane
            """,
            self.owner,
            self.lease_seconds,
            share,
        )
        return sorted(r["lane"] for r in rows)

    async def run_once(self) -> int:
        """One round: renew leases, publish up to `batch_size` rows, delete them. Returns the count."""
        assert self._pool is not None
        assert self._producer is not None
        async with self._pool.acquire() as conn:
            lanes = await self._claim_lanes(conn)
            if not lanes:
                return 0
            lease_deadline = time.monotonic() + self.lease_seconds * 0.8
            rows = await conn.fetch(
                f"SELECT id, topic, message_key, value, headers, event_type "
                f'FROM "{self.schema}".outbox '
                f"WHERE lane = ANY($1::smallint[]) ORDER BY id LIMIT $2",
                lanes,
                self.batch_size,
            )
            if not rows:
                return 0
            values = await self._sealed_values(rows)
            futures = []
            for r, value in zip(rows, values, strict=True):
                headers = [(k, str(v).encode()) for k, v in _json(r["headers"]).items()]
                futures.append(
                    await self._producer.send(
                        r["topic"], value=value, key=r["message_key"].encode(), headers=headers
                    )
                )
            await asyncio.gather(*futures)
            if time.monotonic() > lease_deadline:
                # Another relay may own these lanes by now; it will send the rows too (duplicates).
                log.warning("outbox relay round outlived its lease")
            async with conn.transaction():
                await conn.execute(
                    f'DELETE FROM "{self.schema}".outbox WHERE id = ANY($1::bigint[])',
                    [r["id"] for r in rows],
                )
            PUBLISHED.labels(self.service or self.schema).inc(len(rows))
            return len(rows)

    async def _sealed_values(self, rows: list[asyncpg.Record]) -> list[bytes]:
        """The rows' values with personal fields sealed (keys fetched in one call per tenant)."""
        values: list[bytes] = [r["value"] for r in rows]
        if self.keys is None or not self.keys.enabled:
            return values
        decoded: dict[int, dict[str, Any]] = {}
        wanted: dict[str, set[str]] = {}
        for i, r in enumerate(rows):
            if r["event_type"] not in PERSONAL_TYPES:
                continue
            event = json.loads(values[i])
            subject = subject_of(event)
            if subject is None or event.get(KID_ATTRIBUTE):
                continue
            decoded[i] = event
            wanted.setdefault(str(event.get("tenantid")), set()).add(subject)
        keys: dict[tuple[str, str], DataKey | None] = {}
        for tenant, subjects in wanted.items():
            for emp, key in (await self.keys.for_subjects(tenant, subjects)).items():
                keys[(tenant, emp)] = key
        for i, event in decoded.items():
            subject = subject_of(event)
            assert subject is not None
            seal(event, keys.get((str(event.get("tenantid")), subject)))
            values[i] = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
        return values

    async def backlog(self) -> tuple[int, float]:
        """How many rows wait, and the age in seconds of the oldest."""
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) "
                f'AS age FROM "{self.schema}".outbox'
            )
        assert row is not None
        n, age = int(row["n"]), float(row["age"])
        BACKLOG.labels(self.service or self.schema).set(n)
        OLDEST.labels(self.service or self.schema).set(age)
        return n, age


def _json(value: object) -> dict[str, object]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return {}


assert OUTBOX_LANES > 0
