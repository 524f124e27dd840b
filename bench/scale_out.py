"""Scale-out: 1, 2 and 4 consumer replicas of a service on 24-partition topics, and the pause
when a replica joins, is killed (SIGKILL) or stops cleanly.

Starts a Kafka broker of its own whose topics have 24 partitions (as
`deploy/helm/careerstream/values-operators.yaml` declares them), next to the test stack's
PostgreSQL, and runs the service's real processes (`python -m careerstream.<service> serve`),
each replica a process with its own port, all of them in the same consumer groups.

Throughput, for 1, 2 and 4 replicas (a fresh database and fresh groups each time): every
partition is first proven assigned (one hire sent to each partition, all 24 applied), then
`--events` hires are produced as fast as the producer goes and the bench waits for the last
row in the service's people directory. Each replica's share comes from its own
`careerstream_events_handled_total`. The baseline in the same run: one replica, and a bare
aiokafka consumer reading the same events.

Rebalances: two replicas take a steady stream (`--rate` hires a second, each event's latency
from just before it is sent to the poll that sees its row); a third joins, then one is killed
with SIGKILL, then one is stopped with SIGTERM. The pause is the worst latency of the events
sent around each change, against the steady p50 before them.

Exactly once: after every phase, every event sent is in the directory once (rows = events),
the replicas applied as many as were sent (handled + redeliveries they skipped, from their
own counters), and nothing was dead-lettered.

    uv run python -m bench.scale_out --service metrics --events 20000 --rate 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.topics import HRIS_EMPLOYEE
from careerstream.devstack import kafka
from careerstream.devstack.config import StackConfig, repo_root
from careerstream.devstack.ports import free_port
from careerstream.devstack.stack import platform_topics
from careerstream.devstack.testing import (
    fresh_database,
    start_groups_at_the_end,
    test_infrastructure,
)

PARTITIONS = 24
WARM_UP = 5.0
IDLE_SECONDS = 5.0
"""Seconds of the steady stream before its latency counts (the replicas' first batches)."""
DIRECTORY = {"metrics": "metrics.employees", "mobility": "mobility.employees"}
HANDLED = re.compile(
    r'^careerstream_events_(handled|duplicate|dead_lettered)_total\{consumer="([^"]+)"\} ([0-9.e+]+)$',
    re.M,
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    counts: dict[str, float] = field(default_factory=dict)
    """The last scrape of its counters (kept after it dies)."""

    async def scrape(self, c: httpx.AsyncClient) -> None:
        try:
            r = await c.get(f"http://127.0.0.1:{self.port}/metrics", timeout=2)
        except httpx.HTTPError:
            return
        counts: dict[str, float] = {}
        for kind, _consumer, value in HANDLED.findall(r.text):
            counts[kind] = counts.get(kind, 0.0) + float(value)
        self.counts = counts

    def cpu(self) -> float:
        """CPU seconds (user + system) the process has used so far."""
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return float("nan")
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Fleet:
    """The replicas of one service, sharing a database and consumer groups."""

    def __init__(self, service: str, db: str, bootstrap: str, extra_env: dict[str, str]) -> None:
        self.service = service
        self.env = dict(
            os.environ,
            **{
                f"{service.upper()}_DATABASE_URL": db,
                f"{service.upper()}_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "CAREERSTREAM_CONSUMER_GROUP_PREFIX": f"scale-{uuid.uuid4().hex[:6]}-",
                "CAREERSTREAM_LOG_LEVEL": os.environ.get("BENCH_SERVICE_LOG_LEVEL", "WARNING"),
            },
            **extra_env,
        )
        self.prefix = self.env["CAREERSTREAM_CONSUMER_GROUP_PREFIX"]
        self.replicas: list[Replica] = []
        self.gone: list[Replica] = []
        log = os.environ.get("BENCH_SERVICE_LOG")
        self._log = open(log, "ab") if log else None  # noqa: SIM115

    async def add(self) -> Replica:
        if not self.replicas and not self.gone:
            # Fresh groups read from here on, not the earlier phases' events.
            await start_groups_at_the_end(
                self.env[f"{self.service.upper()}_KAFKA_BOOTSTRAP_SERVERS"], self.prefix
            )
        port = free_port()
        proc = subprocess.Popen(  # noqa: ASYNC220 - started between measurements
            [sys.executable, "-m", f"careerstream.{self.service}", "serve"],
            env={**self.env, f"{self.service.upper()}_HTTP_PORT": str(port)},
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        replica = Replica(f"#{len(self.replicas) + len(self.gone) + 1}", port, proc)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            for _ in range(600):
                if proc.poll() is not None:
                    raise SystemExit(f"{self.service} replica exited with {proc.returncode}")
                try:
                    if (await c.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"{self.service} replica not ready within 60 s")
        self.replicas.append(replica)
        return replica

    async def scrape(self) -> None:
        async with httpx.AsyncClient() as c:
            await asyncio.gather(*(r.scrape(c) for r in self.replicas))

    def remove(self, replica: Replica, sig: signal.Signals) -> None:
        replica.proc.send_signal(sig)
        self.replicas.remove(replica)
        self.gone.append(replica)

    def total(self, kind: str) -> float:
        return sum(r.counts.get(kind, 0.0) for r in (*self.replicas, *self.gone))

    async def stop(self) -> None:
        for r in self.replicas:
            r.proc.terminate()
        for r in (*self.replicas, *self.gone):
            try:
                await asyncio.to_thread(r.proc.wait, 40)
            except subprocess.TimeoutExpired:
                r.proc.kill()
        if self._log:
            self._log.close()


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def hire(tenant: str, emp: str) -> tuple[bytes, bytes]:
    payload = EmployeeHired(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        details=EmploymentDetails(department_id="D1"),
    )
    event = make_event(payload, tenant_id=tenant, source="/careerstream/hris")
    return event.key.encode(), encode(event)


async def rows(conn: asyncpg.Connection, table: str, tenant: str) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant))


async def wait_rows(
    conn: asyncpg.Connection, table: str, tenant: str, n: int, timeout: float
) -> float:
    """Seconds until the directory holds `n` rows of `tenant` (polled every 50 ms)."""
    t0 = time.perf_counter()
    while (got := await rows(conn, table, tenant)) < n:
        if time.perf_counter() - t0 > timeout:
            raise SystemExit(f"{got:,} of {n:,} rows after {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - t0


async def every_partition_consumed(
    producer: AIOKafkaProducer, conn: asyncpg.Connection, table: str, tenant: str
) -> None:
    """One hire sent to each partition, all applied: every partition has an owner that reads."""
    for p in range(PARTITIONS):
        key, value = hire(tenant, f"W{p:02d}")
        await producer.send(HRIS_EMPLOYEE, value, key=key, partition=p)
    await producer.flush()
    await wait_rows(conn, table, tenant, PARTITIONS, timeout=120)


async def bare_read_seconds(bootstrap: str, tenant_marker: bytes, n: int) -> float:
    """A bare aiokafka consumer reading the topic from the start until it has seen the `n`
    events whose key starts with `tenant_marker` (what any consumer pays)."""
    c = AIOKafkaConsumer(
        HRIS_EMPLOYEE,
        bootstrap_servers=bootstrap,
        group_id=f"bench-bare-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await c.start()
    try:
        seen = 0
        t0 = time.perf_counter()
        while seen < n:
            for records in (await c.getmany(timeout_ms=200, max_records=5000)).values():
                seen += sum(1 for r in records if r.key and r.key.startswith(tenant_marker))
            if time.perf_counter() - t0 > 300:
                raise SystemExit(f"bare consumer saw {seen:,} of {n:,}")
        return time.perf_counter() - t0
    finally:
        await c.stop()


@dataclass
class Throughput:
    replicas: int
    seconds: float
    produced_in: float
    rate: float
    share: dict[str, float]
    cpu: dict[str, float]
    in_directory: int
    applied: float
    dead: float
    tenant: str
    exact: bool
    machine_busy: float
    """The share of the machine's cores busy meanwhile (every process, not only the replicas)."""
    bytes_per_person: float
    idle_cpu: float
    """CPU seconds a second that each replica used with nothing to read."""


async def throughput(
    service: str, replicas: int, events: int, admin_url: str, bootstrap: str
) -> Throughput:
    table = DIRECTORY[service]
    tenant = f"so{uuid.uuid4().hex[:8]}"
    async with fresh_database(admin_url) as db:
        fleet = Fleet(service, db, bootstrap, {})
        conn = await asyncpg.connect(db.replace("+asyncpg", ""))
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024
        )
        await producer.start()
        try:
            for _ in range(replicas):  # one at a time: the first migrates the database
                await fleet.add()
            await every_partition_consumed(producer, conn, table, tenant)
            # What a replica costs with nothing to read (its fetches, heartbeats, jobs).
            idle0 = {r.name: r.cpu() for r in fleet.replicas}
            await asyncio.sleep(IDLE_SECONDS)
            idle = sum(r.cpu() - idle0[r.name] for r in fleet.replicas) / (IDLE_SECONDS * replicas)
            await fleet.scrape()
            before = {r.name: r.counts.get("handled", 0.0) for r in fleet.replicas}
            cpu0 = {r.name: r.cpu() for r in fleet.replicas}
            batch = [hire(tenant, f"E{i:07d}") for i in range(events)]
            busy0 = machine_busy()
            t0 = time.perf_counter()
            pending = [await producer.send(HRIS_EMPLOYEE, v, key=k) for k, v in batch]
            await asyncio.gather(*pending)
            produced = time.perf_counter() - t0
            await wait_rows(conn, table, tenant, events + PARTITIONS, timeout=900)
            took = time.perf_counter() - t0
            busy1 = machine_busy()
            await fleet.scrape()
            size = await conn.fetchval(f"SELECT pg_total_relation_size('{table}')")
            share = {r.name: r.counts.get("handled", 0.0) - before[r.name] for r in fleet.replicas}
            cpu = {r.name: r.cpu() - cpu0[r.name] for r in fleet.replicas}
            in_directory = await rows(conn, table, tenant)
            applied = fleet.total("handled") + fleet.total("duplicate")
            dead = fleet.total("dead_lettered")
        finally:
            await producer.stop()
            await conn.close()
            await fleet.stop()
    return Throughput(
        replicas=replicas,
        seconds=took,
        produced_in=produced,
        rate=events / took,
        share=share,
        cpu=cpu,
        in_directory=in_directory,
        applied=applied,
        dead=dead,
        tenant=tenant,
        exact=in_directory == events + PARTITIONS and dead == 0,
        machine_busy=(busy1[0] - busy0[0]) / (busy1[1] - busy0[1]),
        bytes_per_person=size / in_directory,
        idle_cpu=idle,
    )


async def rebalances(
    service: str, rate: int, phase_seconds: int, admin_url: str, bootstrap: str
) -> None:
    table = DIRECTORY[service]
    tenant = f"rb{uuid.uuid4().hex[:8]}"
    async with fresh_database(admin_url) as db:
        fleet = Fleet(service, db, bootstrap, {})
        conn = await asyncpg.connect(db.replace("+asyncpg", ""))
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
        await producer.start()
        try:
            for _ in range(2):
                await fleet.add()
            await every_partition_consumed(producer, conn, table, tenant)
            # Each statement's new rows are logged; the watcher takes (deletes) what is there.
            # Replicas commit concurrently, so a serial would not grow in commit order.
            await conn.execute(
                f"""
                CREATE UNLOGGED TABLE public.bench_seen (employee_id text);
                CREATE FUNCTION public.bench_log() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.bench_seen (employee_id) SELECT employee_id FROM fresh;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER bench_log AFTER INSERT ON {table}
                    REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT
                    EXECUTE FUNCTION public.bench_log();
                """
            )
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            marks: list[tuple[str, float]] = []
            done = asyncio.Event()

            async def watch() -> None:
                while not done.is_set() or len(seen) < len(sent):
                    got = await conn.fetch("DELETE FROM public.bench_seen RETURNING employee_id")
                    t = time.perf_counter()
                    for (e,) in got:
                        seen.setdefault(e, t)
                    if done.is_set() and time.perf_counter() - end > 120:
                        return
                    await asyncio.sleep(0.01)

            async def scrape() -> None:
                while not done.is_set():
                    await fleet.scrape()
                    await asyncio.sleep(0.5)

            async def script() -> None:
                await asyncio.sleep(WARM_UP)
                marks.append(("steady, two replicas", time.perf_counter()))
                await asyncio.sleep(phase_seconds)
                marks.append(("a third replica joins", time.perf_counter()))
                await fleet.add()
                marks.append(("(it is ready)", time.perf_counter()))
                await asyncio.sleep(phase_seconds)
                await fleet.scrape()
                marks.append(("one replica is killed (SIGKILL)", time.perf_counter()))
                fleet.remove(fleet.replicas[0], signal.SIGKILL)
                # The group notices after the session timeout (10 s by default).
                await asyncio.sleep(phase_seconds + 15)
                marks.append(("one replica stops (SIGTERM)", time.perf_counter()))
                fleet.remove(fleet.replicas[0], signal.SIGTERM)
                await asyncio.sleep(phase_seconds)

            end = float("inf")
            watcher = asyncio.create_task(watch())
            scraper = asyncio.create_task(scrape())
            scripted = asyncio.create_task(script())
            start = time.perf_counter()
            i = 0
            while not scripted.done():
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                key, value = hire(tenant, f"E{i:07d}")
                sent[f"E{i:07d}"] = time.perf_counter()
                await producer.send(HRIS_EMPLOYEE, value, key=key)
                i += 1
            end = time.perf_counter()
            await scripted
            done.set()
            await watcher
            await scraper
            await fleet.scrape()
            in_directory = await rows(conn, table, tenant)
            dups = fleet.total("duplicate")
            dead = fleet.total("dead_lettered")
        finally:
            await producer.stop()
            await conn.close()
            await fleet.stop()
    lat = {e: (seen[e] - t) * 1000 for e, t in sent.items() if e in seen}
    print(f"\n{service}: rebalances under a steady {rate}/s ({len(sent):,} events sent)")
    bounds = [*marks[1:], ("end", end)]
    for r in (*fleet.replicas, *fleet.gone):
        print(f"  replica {r.name}: {r.counts}")
    steady_p50 = 0.0
    for (label, t0), (_, t1) in zip(marks, bounds, strict=True):
        xs = [lat[e] for e, t in sent.items() if t0 <= t < t1 and e in lat]
        if not xs:
            continue
        if label.startswith("steady"):
            steady_p50 = statistics.median(xs)
        print(
            f"  {label:<34} {len(xs):6,} events  p50 {statistics.median(xs):8.1f} ms"
            f"  p99 {pct(xs, 0.99):8.1f} ms  max {max(xs):8.1f} ms"
        )
    print("  changes at " + ", ".join(f"{label} {t - start:.1f}s" for label, t in marks))
    print(f"  pause = worst latency after a change, minus the steady p50 ({steady_p50:.1f} ms)")
    first = min(sent.values())
    by_second: dict[int, list[float]] = {}
    for e, t in sent.items():
        if e in lat:
            by_second.setdefault(int(t - first), []).append(lat[e])
    print(
        "  worst latency by second sent: "
        + " ".join(f"{max(xs) / 1000:.1f}" for _, xs in sorted(by_second.items()))
    )
    if len(lat) < len(sent):
        print(f"  the watcher missed {len(sent) - len(lat)} rows: latency figures incomplete")
    ok = in_directory - PARTITIONS == len(sent) and dead == 0
    print(
        f"  exactly once: {in_directory - PARTITIONS:,} of {len(sent):,} in the directory once;"
        f" redeliveries the inbox skipped: {dups:,.0f} (the killed replica's until its last"
        f" scrape); dead-lettered {dead:.0f}: {'OK' if ok else 'FAIL'}"
    )


def start_broker() -> StackConfig:
    cfg = StackConfig(
        home=repo_root() / ".local" / "bench-scale-out",
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        default_partitions=PARTITIONS,
        kafka_heap="1g",
    )
    shutil.rmtree(cfg.home, ignore_errors=True)
    kafka.start(cfg)
    return cfg


async def main(
    services: Iterable[str],
    events: int,
    rate: int,
    phase_seconds: int,
    admin_url: str,
    bootstrap: str,
    skip_throughput: bool = False,
) -> None:
    await kafka.create_platform_topics(bootstrap, platform_topics(), partitions=PARTITIONS)
    print(f"a broker of its own at {bootstrap}; topics with {PARTITIONS} partitions")
    for service in services:
        results: list[Throughput] = []
        for n in () if skip_throughput else (1, 2, 4):
            r = await throughput(service, n, events, admin_url, bootstrap)
            results.append(r)
            print(
                f"{service} x{n}: {events:,} events in {r.seconds:.1f}s"
                f" (produced in {r.produced_in:.1f}s) = {r.rate:,.0f}/s; per replica "
                + ", ".join(f"{v:,.0f}" for v in r.share.values())
                + "; CPU s "
                + ", ".join(f"{v:.1f}" for v in r.cpu.values())
                + f"; machine {r.machine_busy:.0%} busy"
                + f"; idle {r.idle_cpu:.2f} CPU s/s a replica"
                + f"; exactly once {'OK' if r.exact else 'FAIL'}"
                f" ({r.in_directory:,} rows, {r.dead:.0f} dead-lettered)",
                flush=True,
            )
        if not results:
            await rebalances(service, rate, phase_seconds, admin_url, bootstrap)
            continue
        print(f"{service}: its directory holds {results[-1].bytes_per_person:,.0f} bytes a person")
        bare = await bare_read_seconds(bootstrap, results[0].tenant.encode(), events)
        print(
            f"{service}: bare aiokafka consumer read the same {events:,} in {bare:.2f}s "
            f"= {events / bare:,.0f}/s"
        )
        print(
            f"{service}: speed-up over one replica: "
            + ", ".join(f"x{r.replicas} {r.rate / results[0].rate:.2f}" for r in results)
        )
        await rebalances(service, rate, phase_seconds, admin_url, bootstrap)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--service", action="append", choices=sorted(DIRECTORY))
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--phase-seconds", type=int, default=15)
    parser.add_argument("--rebalances-only", action="store_true")
    args = parser.parse_args()
    with test_infrastructure() as ep:
        cfg = start_broker()
        try:
            asyncio.run(
                main(
                    args.service or sorted(DIRECTORY),
                    args.events,
                    args.rate,
                    args.phase_seconds,
                    ep.admin_database_url,
                    cfg.kafka_bootstrap,
                    args.rebalances_only,
                )
            )
        finally:
            kafka.stop(cfg)
            shutil.rmtree(cfg.home, ignore_errors=True)
