"""Nothing is lost, nothing is applied twice: the outbox relay and the inbox under SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from harness import build_uow, hired, setup_schema  # type: ignore[import-not-found]

from careerstream.contracts.envelope import encode, make_event
from careerstream.devstack.pytest_plugin import TopicFactory

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
HERE = Path(__file__).parent


def _spawn(script: str, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(HERE))
    return subprocess.Popen(
        [sys.executable, str(HERE / script), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _read_all(
    bootstrap: str, topic: str, want: int, timeout: float = 60
) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    out: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out += [json.loads(r.value) for r in records]
    finally:
        await consumer.stop()
    return out


async def test_relay_killed_repeatedly_loses_nothing_and_keeps_key_order(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=6)
    await setup_schema(database_url)
    engine, uow = build_uow(database_url)
    relay = _spawn("relay_main.py", database_url, kafka_bootstrap)
    kills = 0
    written: list[tuple[str, str, int]] = []
    rng = random.Random(7)
    try:
        # A rolled-back unit of work publishes nothing.
        async with uow() as u:
            ghost = u.publish(hired("GHOST", 0), tenant_id="acme", topic=topic)
            await u.rollback()
        seq: dict[str, int] = defaultdict(int)
        for txn in range(150):
            async with uow() as u:
                for _ in range(rng.randint(1, 12)):
                    emp = f"E{rng.randint(1, 20)}"
                    seq[emp] += 1
                    ev = u.publish(hired(emp, seq[emp]), tenant_id="acme", topic=topic)
                    written.append((ev.id, emp, seq[emp]))
                await u.commit()
            if txn % 25 == 12:
                relay.send_signal(signal.SIGKILL)
                relay.wait()
                kills += 1
                relay = _spawn("relay_main.py", database_url, kafka_bootstrap)
            await asyncio.sleep(0.01)
        received = await _read_all(kafka_bootstrap, topic, len(written))
    finally:
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        await engine.dispose()

    assert kills == 6
    ids = {e["id"] for e in received}
    assert ids == {w[0] for w in written}, f"lost {len({w[0] for w in written} - ids)} events"
    assert ghost.id not in ids
    # Per key, the first delivery of each event comes in the order the events were written.
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for e in received:
        if e["id"] not in seen:
            seen.add(e["id"])
            first_seen[e["data"]["employee_id"]].append(int(e["data"]["display_name"]))
    for emp, seqs in first_seen.items():
        assert seqs == sorted(seqs), f"{emp} out of order: {seqs}"
    assert all(e["tenantid"] == "acme" for e in received)


async def test_consumer_killed_between_db_commit_and_offset_commit_applies_once(
    database_url: str, kafka_bootstrap: str, new_topic: TopicFactory, tmp_path: Path
) -> None:
    topic = await new_topic(partitions=3)
    await setup_schema(database_url)
    events = [
        make_event(hired(f"E{i % 7}", i), tenant_id="acme", source="/careerstream/test")
        for i in range(120)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for ev in events:
            await producer.send(topic, encode(ev), key=ev.key.encode())
        await producer.flush()
    finally:
        await producer.stop()

    crash_at = ["3", "40", "41", "90"]
    restarts = 0
    proc = _spawn(
        "consumer_main.py", database_url, kafka_bootstrap, topic, str(tmp_path), *crash_at
    )
    conn = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
                restarts += 1
                proc = _spawn(
                    "consumer_main.py",
                    database_url,
                    kafka_bootstrap,
                    topic,
                    str(tmp_path),
                    *crash_at,
                )
            if await conn.fetchval("SELECT count(DISTINCT event_id) FROM kit.effects") == 120:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # let any wrongful redelivery land before we count
        per_event = await conn.fetch("SELECT event_id, count(*) AS n FROM kit.effects GROUP BY 1")
        inbox = await conn.fetchval("SELECT count(*) FROM kit.inbox WHERE consumer = 'kit-effects'")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        await conn.close()

    assert restarts == 4, "the consumer should have crashed after four database commits"
    assert {r["event_id"] for r in per_event} == {e.id for e in events}
    assert [r for r in per_event if r["n"] != 1] == []
    assert inbox == 120
