"""The guide's consumer example (no careerstream code) reads and validates our events."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from careerstream.contracts.envelope import CONTENT_TYPE, encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.examples import EXAMPLES
from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Service
from careerstream.devstack.pytest_plugin import TopicFactory
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.testing import fresh_database
from careerstream.servicekit.keys import DEV_PRIVACY_SECRET, service_token
from careerstream.servicekit.sealing import DataKey, seal

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


@pytest.mark.kafka
@pytest.mark.postgres
async def test_example_consumer_opens_sealed_fields_and_reads_the_erased_as_erased(
    endpoints: Endpoints, new_topic: TopicFactory, tmp_path: Path
) -> None:
    """With a key-reader token, the example opens a colleague's sealed name; an erased
    person's fields read as erased (their key is gone), and the example carries on."""
    topic = await new_topic(partitions=1)
    tenant = f"ext{uuid.uuid4().hex[:8]}"
    async with fresh_database(endpoints.admin_database_url) as db:
        port = free_port()
        env = {
            **os.environ,
            "PRIVACY_DATABASE_URL": db,
            "PRIVACY_KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
            "PRIVACY_HTTP_PORT": str(port),
            "PRIVACY_ERASURE_DEADLINE_HOURS": "0",
            "PRIVACY_DEADLINE_CHECK_SECONDS": "0.2",
            "CAREERSTREAM_CONSUMER_GROUP_PREFIX": f"{tenant}-",
            "CAREERSTREAM_LOG_LEVEL": "WARNING",
        }
        privacy = Service("privacy", port, env, tmp_path / "privacy.log")
        privacy.start()
        try:
            async with httpx.AsyncClient(base_url=privacy.url, timeout=10) as c:
                for _ in range(300):
                    try:
                        if (await c.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.3)
                token = service_token(DEV_PRIVACY_SECRET, tenant=tenant, service="hris")
                issued = await c.post(
                    "/v1/privacy/keys/issue",
                    json={"employee_ids": ["E100", "E101"]},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert issued.status_code == 200, issued.text
                keys = {
                    k["employee_id"]: DataKey(k["kid"], base64.b64decode(k["key"]))
                    for k in issued.json()["keys"]
                }
                events = []
                for emp in ("E100", "E101"):
                    event = json.loads(
                        encode(
                            make_event(
                                EmployeeHired(
                                    employee_id=emp,
                                    effective_date=date(2026, 1, 5),
                                    recorded_at=datetime.now(UTC),
                                    display_name=f"Name of {emp}",
                                    details=EmploymentDetails(role_id="r1", location="Lyon"),
                                ),
                                tenant_id=tenant,
                                source="/careerstream/hris",
                            )
                        )
                    )
                    seal(event, keys[emp])  # as the hris relay does
                    events.append(event)
                hr = auth(tenant, "HR", "hr_admin")
                erased = await c.post(
                    "/v1/privacy/erasures",
                    json={"employee_id": "E101", "reason": "asked"},
                    headers=hr,
                )
                assert erased.status_code == 202, erased.text
                for _ in range(300):
                    got = await c.get(
                        f"/v1/privacy/erasures/{erased.json()['erasure_id']}", headers=hr
                    )
                    if got.json()["status"] == "completed":
                        break
                    await asyncio.sleep(0.2)
                assert got.json()["status"] == "completed"
            producer = AIOKafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap)
            await producer.start()
            for event in events:
                await producer.send_and_wait(
                    topic, json.dumps(event).encode(), key=f"{tenant}:{event['subject']}".encode()
                )
            await producer.stop()
            minted = await asyncio.to_thread(
                subprocess.run,
                [
                    sys.executable,
                    "-m",
                    "careerstream.servicekit.keys",
                    "--tenant",
                    tenant,
                    "--name",
                    "data-platform",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            reader = minted.stdout.strip()
            proc = await asyncio.to_thread(
                subprocess.run,
                [
                    sys.executable,
                    str(ROOT / "examples" / "external-consumer" / "consume.py"),
                    "--bootstrap",
                    endpoints.kafka_bootstrap,
                    "--topic",
                    topic,
                    "--group",
                    f"g-{topic}",
                    "--max-messages",
                    "2",
                    "--privacy-url",
                    privacy.url,
                    "--privacy-token",
                    reader,
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            privacy.stop()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert '  personal /display_name="Name of E100"' in lines
    assert '  personal /details/location="Lyon"' in lines
    assert "  erased /display_name" in lines
    assert "  erased /details/location" in lines
    assert "Name of E101" not in proc.stdout
