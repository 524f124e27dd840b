"""Events/s through consume -> inbox -> state write -> outbox in one transaction.

Compares the servicekit EventConsumer (batch mode) with a plain aiokafka
`getmany` + asyncpg `executemany` loop doing the same writes (a state row, an
inbox row and an outbox row per event), in the same run, on the same broker
and database. Uses the test stack (or KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL).

    uv run python -m bench.consume_pipeline --events 20000

`--sealed` measures what sealing personal fields costs the consumer instead: the same
events published sealed (as every service's relay publishes them), opened by the
EventConsumer with data keys fetched from a real privacy service (a process of its
own, cold cache at the start of each run), against the same consumer reading them
unsealed; also with every key cached (warm), and by a handler that reads no personal
field (it fetches no key: the directories of assessments and plans); runs alternate, and
every run is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY

from careerstream.contracts.envelope import Envelope, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired
from careerstream.devstack import kafka
from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Service
from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.servicekit.consumer import EventConsumer, reads_personal
from careerstream.servicekit.keys import KeyClient, PrivacySettings
from careerstream.servicekit.sealing import seal
from careerstream.servicekit.subscriptions import to_record
from careerstream.servicekit.uow import UnitOfWork, lane_of
from libs.servicekit.tests.harness import build_uow, effects, hired, setup_schema


async def produce(bootstrap: str, topic: str, n: int, keys: KeyClient | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks=1)
    await producer.start()
    issued = await keys.for_subjects("acme", [f"E{i}" for i in range(min(n, 5000))]) if keys else {}
    try:
        for i in range(n):
            ev = make_event(
                hired(f"E{i % 5000}", i), tenant_id="acme", source="/careerstream/bench"
            )
            if keys is None:
                value = encode(ev)
            else:
                event = json.loads(encode(ev))
                seal(event, issued[f"E{i % 5000}"])  # as a service's relay does
                value = json.dumps(event, separators=(",", ":")).encode()
            await producer.send(topic, value, key=ev.key.encode())
        await producer.flush()
    finally:
        await producer.stop()


def consumer_for(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )


async def run_servicekit(
    bootstrap: str,
    topic: str,
    db: str,
    n: int,
    keys: KeyClient | None = None,
    reads_name: bool = True,
) -> float:
    await setup_schema(db)
    engine, uow = build_uow(db)

    async def handle(u: UnitOfWork, batch: Sequence[tuple[Envelope, EmployeeHired]]) -> None:
        await u.session.execute(
            sa.insert(effects),
            [
                {
                    "event_id": event.id,
                    "employee_id": payload.employee_id,
                    "seq": int(payload.display_name or 0),
                }
                for event, payload in batch
            ],
        )
        for event, payload in batch:
            u.publish(payload, tenant_id=event.tenantid, topic=topic + ".out")

    ec = EventConsumer(
        "bench",
        uow,
        {},
        # A handler that reads no personal field (as the directories of assessments and plans)
        # says so: the consumer then fetches no key and opens nothing.
        batch_handlers={EmployeeHired: handle if reads_name else reads_personal(handle, ())},
        topics_override=[topic],
        keys=keys,
    )
    consumer = consumer_for(bootstrap, topic)
    await consumer.start()
    done = 0
    t0 = time.perf_counter()
    try:
        while done < n:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            records = [to_record(r) for part in batches.values() for r in part]
            if records:
                await ec.process_batch(records)
                done += len(records)
            await consumer.commit()
    finally:
        await consumer.stop()
        await engine.dispose()
    return n / (time.perf_counter() - t0)


async def run_plain(bootstrap: str, topic: str, db: str, n: int) -> float:
    await setup_schema(db)
    conn = await asyncpg.connect(db)
    consumer = consumer_for(bootstrap, topic)
    await consumer.start()
    done = 0
    t0 = time.perf_counter()
    try:
        while done < n:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            records = [r for part in batches.values() for r in part]
            if records:
                rows = [json.loads(r.value) for r in records]
                async with conn.transaction():
                    await conn.executemany(
                        "INSERT INTO kit.inbox (consumer, event_id) VALUES ('plain', $1) "
                        "ON CONFLICT DO NOTHING",
                        [(e["id"],) for e in rows],
                    )
                    await conn.executemany(
                        "INSERT INTO kit.effects (event_id, employee_id, seq) VALUES ($1, $2, $3)",
                        [
                            (e["id"], e["data"]["employee_id"], int(e["data"]["display_name"]))
                            for e in rows
                        ],
                    )
                    await conn.executemany(
                        "INSERT INTO kit.outbox (event_id, event_type, topic, message_key, lane, "
                        "value, headers) VALUES ($1, $2, $3, $4, $5, $6, '{}'::jsonb)",
                        [
                            (
                                str(uuid.uuid4()),
                                e["type"],
                                topic + ".out",
                                f"acme:{e['subject']}",
                                lane_of(f"acme:{e['subject']}"),
                                json.dumps(e).encode(),
                            )
                            for e in rows
                        ],
                    )
                done += len(records)
            await consumer.commit()
    finally:
        await consumer.stop()
        await conn.close()
    return n / (time.perf_counter() - t0)


async def main(n: int, endpoints_bootstrap: str, admin_url: str) -> None:
    topic = f"bench.pipeline.{uuid.uuid4().hex[:8]}"
    await kafka.create_topics(endpoints_bootstrap, [topic], partitions=12)
    await produce(endpoints_bootstrap, topic, n)
    results = {}
    for name, fn in (
        ("plain", run_plain),
        ("servicekit", run_servicekit),
        ("plain (again)", run_plain),
        ("servicekit (again)", run_servicekit),
    ):
        async with fresh_database(admin_url) as db:
            results[name] = await fn(endpoints_bootstrap, topic, db, n)
        print(f"{name:<20} {results[name]:>9.0f} events/s", flush=True)
    await kafka.delete_topics(endpoints_bootstrap, [topic])
    plain = max(results["plain"], results["plain (again)"])
    ours = max(results["servicekit"], results["servicekit (again)"])
    print(f"servicekit / plain = {ours / plain:.2f} (best of two each, {n} events)")


async def main_sealed(n: int, bootstrap: str, admin_url: str, logs: Path) -> None:
    """The consumer on sealed events (keys from a real privacy service) against unsealed ones."""
    plain_topic = f"bench.pipeline.{uuid.uuid4().hex[:8]}"
    sealed_topic = f"bench.sealed.{uuid.uuid4().hex[:8]}"
    await kafka.create_topics(bootstrap, [plain_topic, sealed_topic], partitions=12)
    async with fresh_database(admin_url) as privacy_db:
        port = free_port()
        privacy = Service(
            "privacy",
            port,
            {
                **os.environ,
                "PRIVACY_DATABASE_URL": privacy_db,
                "PRIVACY_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "PRIVACY_HTTP_PORT": str(port),
                "CAREERSTREAM_CONSUMER_GROUP_PREFIX": f"bench-{uuid.uuid4().hex[:6]}-",
                "CAREERSTREAM_LOG_LEVEL": "WARNING",
            },
            logs / "bench-privacy.log",
        )
        privacy.start()
        try:
            await _ready(privacy.url)
            settings = PrivacySettings(url=privacy.url)
            await produce(bootstrap, plain_topic, n)
            await produce(bootstrap, sealed_topic, n, KeyClient(settings, "hris"))
            results: dict[str, list[float]] = {
                "unsealed": [],
                "sealed, cold": [],
                "sealed, warm": [],
                "sealed, not read": [],
            }
            kids = [
                k.kid
                for k in (
                    await KeyClient(settings, "hris").for_subjects(
                        "acme", [f"E{i}" for i in range(min(n, 5000))]
                    )
                ).values()
                if k is not None
            ]
            for i in range(3):
                for name in results:
                    keys = KeyClient(settings, "bench")  # a cold cache...
                    if name == "sealed, warm":
                        await keys.by_kids("acme", kids)  # ...or every key already cached
                        keys.calls, keys.seconds = 0, 0.0
                    topic = plain_topic if name == "unsealed" else sealed_topic
                    waited = _open_wait()
                    async with fresh_database(admin_url) as db:
                        rate = await run_servicekit(
                            bootstrap, topic, db, n, keys, reads_name=name != "sealed, not read"
                        )
                    results[name].append(rate)
                    fetched = (
                        f", {keys.calls} key fetches taking {keys.seconds:.2f}s, "
                        f"{_open_wait() - waited:.2f}s waited for them and the opening after the claim"
                        if name != "unsealed"
                        else ""
                    )
                    print(f"run {i + 1} {name:<13} {rate:>9.0f} events/s{fetched}", flush=True)
                    await keys.close()
        finally:
            privacy.stop()
    await kafka.delete_topics(bootstrap, [plain_topic, sealed_topic])
    for name in ("sealed, cold", "sealed, warm", "sealed, not read"):
        pairs = [s / u for s, u in zip(results[name], results["unsealed"], strict=True)]
        print(
            f"{name} / unsealed per run: "
            + ", ".join(f"{r:.2f}" for r in pairs)
            + f"; median {sorted(pairs)[1]:.2f} ({n} events, {min(n, 5000)} people)"
        )


def _open_wait() -> float:
    """Seconds the bench consumer has waited, its inbox claimed, for keys and opened payloads
    (the rest of each fetch overlapped the claim)."""
    value = REGISTRY.get_sample_value(
        "careerstream_consumer_open_wait_seconds_total", {"consumer": "bench"}
    )
    return value or 0.0


async def _ready(url: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url) as c:
        for _ in range(300):
            try:
                if (await c.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("the privacy service did not start")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--sealed", action="store_true", help="sealed against unsealed events")
    args = parser.parse_args()
    with test_infrastructure() as ep:
        if args.sealed:
            with tempfile.TemporaryDirectory() as logs:
                asyncio.run(
                    main_sealed(args.events, ep.kafka_bootstrap, ep.admin_database_url, Path(logs))
                )
        else:
            asyncio.run(main(args.events, ep.kafka_bootstrap, ep.admin_database_url))
