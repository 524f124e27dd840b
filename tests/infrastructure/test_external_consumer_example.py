"""The guide's consumer example (no careerstream code) reads and validates our events."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from careerstream.contracts.envelope import CONTENT_TYPE, encode, make_event
from careerstream.contracts.examples import EXAMPLES
from careerstream.devstack.pytest_plugin import TopicFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.kafka
async def test_example_consumer_validates_our_events(
    kafka_bootstrap: str, new_topic: TopicFactory
) -> None:
    topic = await new_topic(partitions=3)
    filled = make_event(
        EXAMPLES["careerstream.mobility.role.filled.v1"],
        tenant_id="acme",
        source="/careerstream/mobility",
    )
    broken = filled.model_copy(update={"id": "broken-1", "data": {"internal": "yes"}})
    future = filled.model_copy(
        update={"id": "future-1", "type": "careerstream.mobility.role.filled.v2"}
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    for ev in (filled, broken, future):
        await producer.send_and_wait(
            topic,
            encode(ev),
            key=ev.key.encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    await producer.stop()

    proc = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            str(ROOT / "examples" / "external-consumer" / "consume.py"),
            "--bootstrap",
            kafka_bootstrap,
            "--topic",
            topic,
            "--group",
            f"g-{topic}",
            "--max-messages",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert (
        f"ok careerstream.mobility.role.filled.v1 tenant=acme subject=O1 id={filled.id} key=acme:O1"
        in lines
    )
    assert any(
        line.startswith("invalid careerstream.mobility.role.filled.v1 broken-1") for line in lines
    )
    assert "skip careerstream.mobility.role.filled.v2: no schema (newer producer?)" in lines
