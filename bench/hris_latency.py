"""End-to-end latency: an HRIS event produced -> the metrics projection updated, at a sustained rate.

Starts the metrics service as its own process (fresh database, consumer groups
of its own), produces `employee.hired` events for new people at a steady rate
to the HRIS topic, and watches the metrics `employees` projection: an event's
latency is from just before it is sent to the first poll (every 5 ms) that sees
its row. Baseline in the same run: the Kafka produce-to-consume latency of a
bare aiokafka consumer on the same topic (what any consumer pays).

    uv run python -m bench.hris_latency --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.topics import HRIS_EMPLOYEE
from careerstream.devstack import kafka
from careerstream.devstack.ports import free_port
from careerstream.devstack.stack import platform_topics
from careerstream.devstack.testing import (
    fresh_database,
    start_groups_at_the_end,
    test_infrastructure,
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


async def main(
    rate: int, seconds: int, admin_url: str, bootstrap: str, timeline: bool = False
) -> None:
    await kafka.create_platform_topics(bootstrap, platform_topics(), partitions=3)
    tenant = f"lat{uuid.uuid4().hex[:8]}"
    async with fresh_database(admin_url) as db:
        port = free_port()
        groups = f"bench-{uuid.uuid4().hex[:6]}-"
        # The service reads only what this run produces, not the topics' history.
        await start_groups_at_the_end(bootstrap, groups)
        env = dict(
            os.environ,
            METRICS_DATABASE_URL=db,
            METRICS_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
            METRICS_HTTP_PORT=str(port),
            CAREERSTREAM_CONSUMER_GROUP_PREFIX=groups,
            CAREERSTREAM_LOG_LEVEL=os.environ.get("BENCH_SERVICE_LOG_LEVEL", "WARNING"),
        )
        # BENCH_SERVICE_LOG=<file>: the service's own log, to see what it did meanwhile.
        log = os.environ.get("BENCH_SERVICE_LOG")
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: ASYNC230,SIM115
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
            [sys.executable, "-m", "careerstream.metrics", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
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
            await asyncio.sleep(3)  # group join and partition assignment
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
            await producer.start()
            raw = AIOKafkaConsumer(
                HRIS_EMPLOYEE,
                bootstrap_servers=bootstrap,
                group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
                auto_offset_reset="latest",
            )
            await raw.start()
            await asyncio.sleep(2)
            conn = await asyncpg.connect(db)
            # The watcher reads what the projection inserted since its last poll, in insert
            # order (a statement trigger appends each batch's new rows to a log). Reading
            # every row above the lowest id not yet seen, as the bench did before, grew with
            # the queue: a delay made each poll larger, and the polls made the delay worse.
            await conn.execute(
                """
                CREATE TABLE public.bench_seen (n bigserial PRIMARY KEY, employee_id text);
                CREATE FUNCTION public.bench_log() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.bench_seen (employee_id) SELECT employee_id FROM fresh;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER bench_log AFTER INSERT ON metrics.employees
                    REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT
                    EXECUTE FUNCTION public.bench_log();
                """
            )
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            raw_seen: dict[str, float] = {}
            total = rate * seconds
            stop = asyncio.Event()

            async def watch() -> None:
                last = 0  # one writer (the projection's consumer): the log grows in order
                while not stop.is_set() or len(seen) < total:
                    if len(seen) == total:
                        return
                    rows = await conn.fetch(
                        "SELECT n, employee_id FROM public.bench_seen WHERE n > $1 ORDER BY n",
                        last,
                    )
                    t = time.perf_counter()
                    for n, e in rows:
                        seen.setdefault(e, t)
                        last = n
                    if stop.is_set() and time.perf_counter() - last_send > 30:
                        return
                    await asyncio.sleep(0.005)

            async def watch_raw() -> None:
                while not stop.is_set() or len(raw_seen) < total:
                    for records in (await raw.getmany(timeout_ms=50)).values():
                        t = time.perf_counter()
                        for r in records:
                            raw_seen.setdefault(r.key.decode().split(":", 1)[1], t)
                    if stop.is_set() and time.perf_counter() - last_send > 30:
                        return

            last_send = time.perf_counter()
            watchers = [asyncio.create_task(watch()), asyncio.create_task(watch_raw())]
            start = time.perf_counter()
            for i in range(total):
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                emp = f"E{i:06d}"
                payload = EmployeeHired(
                    employee_id=emp,
                    effective_date=date(2026, 1, 1),
                    recorded_at=datetime.now(UTC),
                    details=EmploymentDetails(department_id="D1"),
                )
                event = make_event(payload, tenant_id=tenant, source="/careerstream/hris")
                sent[emp] = time.perf_counter()
                await producer.send(HRIS_EMPLOYEE, encode(event), key=event.key.encode())
                last_send = time.perf_counter()
            achieved = total / (time.perf_counter() - start)
            stop.set()
            await asyncio.gather(*watchers)
            in_projection = await conn.fetchval(
                "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1", tenant
            )
            await producer.stop()
            await raw.stop()
            await conn.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lat = [(seen[e] - sent[e]) * 1000 for e in sent if e in seen]
    base = [(raw_seen[e] - sent[e]) * 1000 for e in sent if e in raw_seen]
    print(
        f"sent {total:,} events at {achieved:,.0f}/s; {len(lat):,} reached the metrics projection, {len(base):,} the bare consumer"
    )
    for label, xs in (
        ("bare aiokafka consumer (baseline)", base),
        ("metrics projection updated", lat),
    ):
        print(
            f"{label:<36} p50 {statistics.median(xs):6.1f} ms  p95 {pct(xs, 0.95):6.1f} ms  p99 {pct(xs, 0.99):6.1f} ms"
        )
    print(f"rows in the projection at the end: {in_projection:,} of {total:,}")
    print(f"p99 projection / p99 bare consumer = {pct(lat, 0.99) / pct(base, 0.99):.2f}")
    if timeline:
        # Latency by the second its events were sent: a queue grows and drains, a stall spikes.
        first = min(sent.values())
        by_second: dict[int, list[float]] = {}
        for e, t in sent.items():
            if e in seen:
                by_second.setdefault(int(t - first), []).append((seen[e] - t) * 1000)
        for second, xs in sorted(by_second.items()):
            print(
                f"  second {second:3d}: p50 {statistics.median(xs):7.1f} ms  max {max(xs):7.1f} ms"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--timeline", action="store_true", help="latency by second of sending")
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(
            main(args.rate, args.seconds, ep.admin_database_url, ep.kafka_bootstrap, args.timeline)
        )
