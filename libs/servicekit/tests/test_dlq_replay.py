"""The DLQ command lists dead letters and replays chosen ones; replay applies them once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from harness import SCHEMA, build_uow, hired, record_effect, setup_schema  # type: ignore[import-not-found]

from careerstream.contracts.envelope import Envelope, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired
from careerstream.contracts.topics import dlq_topic
from careerstream.devstack import kafka
from careerstream.devstack.pytest_plugin import TopicFactory
from careerstream.servicekit.consumer import EventConsumer
from careerstream.servicekit.relay import OutboxRelay
from careerstream.servicekit.subscriptions import subscribe
from careerstream.servicekit.uow import UnitOfWork

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "careerstream.servicekit.dlq", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


async def _wait_for(conn: asyncpg.Connection, sql: str, want: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    got = -1
    while time.monotonic() < deadline:
        got = await conn.fetchval(sql)
        if got == want:
            return int(got)
        await asyncio.sleep(0.2)
    return int(got)


async def test_dead_letters_are_listed_and_a_replay_is_applied_exactly_once(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=2)
    dlq = dlq_topic(topic)
    await kafka.create_topics(kafka_bootstrap, [dlq], partitions=2)
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    src = "/careerstream/test"
    boom = make_event(hired("BOOM", 1), tenant_id="acme", source=src)
    good = make_event(hired("E1", 2), tenant_id="acme", source=src)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    for e in (boom, good):
        await producer.send_and_wait(topic, encode(e), key=e.key.encode())
    await producer.send_and_wait(topic, b"not json at all", key=b"acme:x")
    await producer.stop()

    fixed = False

    async def handler(u: UnitOfWork, event: Envelope, payload: EmployeeHired) -> None:
        if payload.employee_id == "BOOM" and fixed:
            payload = payload.model_copy(update={"employee_id": "BOOM-fixed"})
        await record_effect(u, event, payload)

    consumer = EventConsumer(
        "kit-replay",
        uow,
        {EmployeeHired: handler},
        max_attempts=2,
        backoff_base=0.01,
        topics_override=[topic],
    )
    broker = KafkaBroker(kafka_bootstrap)
    subscribe(broker, consumer)
    relay = OutboxRelay(database_url, SCHEMA, kafka_bootstrap, service="kit")
    await relay.start()
    stopping = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stopping))
    conn = await asyncpg.connect(database_url)
    env_bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = kafka_bootstrap
    try:
        async with broker:
            await broker.start()
            assert await _wait_for(conn, "SELECT count(*) FROM kit.effects", 1) == 1
            await _wait_for(conn, "SELECT count(*) FROM kit.outbox", 0)

            listed = await asyncio.to_thread(_cli, "list", dlq, "--json")
            assert listed.returncode == 0, listed.stderr
            letters = [json.loads(line) for line in listed.stdout.splitlines()]
            assert len(letters) == 2
            by_reason = {d["reason"]: d for d in letters}
            assert set(by_reason) == {"handler-error", "invalid-event"}
            assert by_reason["handler-error"]["event_id"] == boom.id
            assert by_reason["handler-error"]["consumer"] == "kit-replay"
            assert "BOOM" in by_reason["handler-error"]["error"]
            table = await asyncio.to_thread(_cli, "list", dlq)
            assert "handler-error" in table.stdout
            assert "2 dead letter(s)" in table.stdout

            # Bad selections are refused whole.
            bad = await asyncio.to_thread(_cli, "replay", dlq, "--at", "9:99")
            assert bad.returncode == 2
            assert "no message at 9:99" in bad.stderr
            nothing = await asyncio.to_thread(_cli, "replay", dlq)
            assert nothing.returncode == 2

            fixed = True
            at = f"{by_reason['handler-error']['partition']}:{by_reason['handler-error']['offset']}"
            for _ in range(2):  # replaying twice is harmless
                done = await asyncio.to_thread(_cli, "replay", dlq, "--at", at)
                assert done.returncode == 0, done.stderr
                assert "1 message(s) replayed" in done.stdout
            assert await _wait_for(conn, "SELECT count(*) FROM kit.effects", 2) == 2
            await asyncio.sleep(1.0)  # the second replay arrives too, and is skipped
            rows = await conn.fetch("SELECT event_id, employee_id FROM kit.effects ORDER BY seq")
    finally:
        if env_bootstrap is None:
            os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
        else:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = env_bootstrap
        stopping.set()
        await relay_task
        await relay.stop()
        await conn.close()
        await engine.dispose()
    assert [(r["event_id"], r["employee_id"]) for r in rows] == [
        (boom.id, "BOOM-fixed"),
        (good.id, "E1"),
    ]
