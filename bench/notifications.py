"""Notifications decided and delivered per second when a cycle opens for a whole tenant.

Starts the notifications service as its own process (fresh database, consumer groups of its
own) sending to a local SMTP server (aiosmtpd, in this process), loads a directory of
`--employees` people (one manager per 8), then produces one `assessment.opened` per person
at once, as the assessments service does when HR opens a cycle for everyone. Every assessee
and every manager (once per cycle) is told: about 1.125 messages a person.

Measured: decided per second (notifications recorded, from the first event produced to the
last decision), and delivered per second (from the first event produced to the SMTP server's
acceptance of the last message). Baseline in the same run: the SMTP server's own acceptance
rate for messages of the same size from a bare aiosmtplib client over one connection (what
any sender could reach on this machine).

    uv run python -m bench.notifications --employees 50000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import aiosmtplib
import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from careerstream.contracts.base import EventPayload
from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.assessments import AssessmentOpened
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.devstack import kafka
from careerstream.devstack.mailsink import MailSink
from careerstream.devstack.ports import free_port
from careerstream.devstack.stack import platform_topics
from careerstream.devstack.testing import (
    fresh_database,
    start_groups_at_the_end,
    test_infrastructure,
)


async def produce(bootstrap: str, tenant: str, payloads: Sequence[EventPayload]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all")
    await producer.start()
    try:
        pending = []
        for p in payloads:
            ev = make_event(p, tenant_id=tenant, source="/careerstream/bench")
            pending.append(await producer.send(p.topic, encode(ev), key=ev.key.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def smtp_baseline(port: int, n: int, size: int) -> float:
    """Messages per second the SMTP server accepts from a bare client over one connection."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    t0 = time.perf_counter()
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = "bench@localhost"
        msg["To"] = f"baseline{i}@bench.example"
        msg["Subject"] = "Your assessment is open"
        msg["Message-ID"] = f"<baseline-{i}@bench>"
        msg.set_content("x" * (size // 2))
        msg.add_alternative("<p>" + "x" * (size // 2) + "</p>", subtype="html")
        await client.send_message(msg)
    elapsed = time.perf_counter() - t0
    await client.quit()
    return n / elapsed


async def main(employees: int, admin_url: str, bootstrap: str) -> None:
    await kafka.create_platform_topics(bootstrap, platform_topics(), partitions=3)
    tenant = f"ntf{uuid.uuid4().hex[:8]}"
    managers = max(1, employees // 8)
    with MailSink() as sink:
        async with fresh_database(admin_url) as db:
            port = free_port()
            groups = f"bench-{uuid.uuid4().hex[:6]}-"
            await start_groups_at_the_end(bootstrap, groups)
            env = dict(
                os.environ,
                NOTIFICATIONS_DATABASE_URL=db,
                NOTIFICATIONS_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
                NOTIFICATIONS_HTTP_PORT=str(port),
                NOTIFICATIONS_SMTP_PORT=str(sink.port),
                CAREERSTREAM_CONSUMER_GROUP_PREFIX=groups,
                CAREERSTREAM_LOG_LEVEL="WARNING",
            )
            proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
                [sys.executable, "-m", "careerstream.notifications", "serve"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
                    for _ in range(300):
                        try:
                            if (await c.get("/readyz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.2)
                conn = await asyncpg.connect(db.replace("+asyncpg", ""))
                ids = [f"E{i:07d}" for i in range(employees)]
                hires = [
                    EmployeeHired(
                        employee_id=e,
                        effective_date=date(2026, 1, 1),
                        recorded_at=datetime.now(UTC),
                        display_name=f"Person {e}",
                        details=EmploymentDetails(
                            role_id="r1",
                            manager_id=None if i < managers else ids[i % managers],
                            work_email=f"{e.lower()}@bench.example",
                        ),
                    )
                    for i, e in enumerate(ids)
                ]
                t_load = time.perf_counter()
                await produce(bootstrap, tenant, hires)
                loaded = 0
                while loaded < employees:
                    await asyncio.sleep(0.5)
                    loaded = await conn.fetchval(
                        "SELECT count(*) FROM notifications.employees WHERE tenant_id = $1", tenant
                    )
                print(f"directory of {employees} loaded in {time.perf_counter() - t_load:.1f} s")
                deadline = datetime.now(UTC) + timedelta(days=14)
                opened = [
                    AssessmentOpened(
                        assessment_id=f"A{e}",
                        cycle_id="C1",
                        employee_id=e,
                        role_id="r1",
                        deadline=deadline,
                        opened_at=datetime.now(UTC),
                    )
                    for e in ids
                ]
                expected = employees + managers
                before = len(sink.received)
                t0 = time.perf_counter()
                await produce(bootstrap, tenant, opened)
                decided_at = delivered_at = None
                while delivered_at is None:
                    if decided_at is None:
                        n = await conn.fetchval(
                            "SELECT count(*) FROM notifications.notifications WHERE tenant_id = $1",
                            tenant,
                        )
                        if n >= expected:
                            decided_at = time.perf_counter() - t0
                    if len(sink.received) - before >= expected:
                        delivered_at = time.perf_counter() - t0
                    await asyncio.sleep(0.05)
                assert decided_at is not None
                size = len(sink.received[-1].message.as_bytes())
                await conn.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        baseline = await smtp_baseline(sink.port, min(expected, 5000), size)
    decided_rate = expected / decided_at
    delivered_rate = expected / delivered_at
    print(f"messages: {expected} ({employees} assessees, {managers} managers), ~{size} bytes each")
    print(f"decided:   {decided_rate:8.0f} /s  (all in {decided_at:.1f} s)")
    print(f"delivered: {delivered_rate:8.0f} /s  (all in {delivered_at:.1f} s)")
    print(f"baseline:  {baseline:8.0f} /s  (the SMTP server's own acceptance, bare client)")
    print(f"delivered / baseline: {delivered_rate / baseline:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=50_000)
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(args.employees, ep.admin_database_url, ep.kafka_bootstrap))
