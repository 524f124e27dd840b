"""Onboarding a company through the gateway's full import, until every service knows everyone.

Starts the whole platform (every service its own process, fresh databases,
consumer groups of their own) on the test Kafka and PostgreSQL, publishes the
typical company's framework, maps its job codes, then uploads one CSV export
of N employees (a management hierarchy, departments, locations, job codes) to
`POST /v1/imports`. The clock runs from the upload to the moment the last of
the people directories (assessments, plans, mobility, metrics) holds all N;
progress is printed every second.

Baseline in the same run: N `employee.hired` events of the same shape produced
to a fresh topic and read back by a bare aiokafka consumer (the transport
alone, no service).

    uv run python -m bench.onboarding --employees 100000

The events stay on the test stack's platform topics, which the end-to-end tests read from
the beginning (the erasure test reads every message): after a large run, start the tests on
a fresh stack (`careerstream down --test-stack`, then remove `.local/test-stack`).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from careerstream.contracts.envelope import encode, make_event
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.devstack import kafka
from careerstream.devstack.processes import platform
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import Endpoints, platform_topics
from careerstream.devstack.testing import test_infrastructure

EXAMPLE = (
    Path(__file__).parents[1] / "services" / "frameworks" / "examples" / "typical-company.yaml"
)
JOBS = {
    "ENG1": "engineering.software-engineer",
    "ENG2": "engineering.senior-engineer",
    "MGR": "engineering.engineering-manager",
    "DIR": "engineering.director-of-engineering",
}
DIRECTORIES = {
    "hris": "hris.people",
    "assessments": "assessments.employees",
    "plans": "plans.employees",
    "mobility": "mobility.employees",
    "metrics": "metrics.employees",
}


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by each kind of process: every service, postgres, kafka, this bench."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = next((s for s in DIRECTORIES if f"careerstream.{s} " in cmd), None)
        if name is None and "careerstream.frameworks " in cmd:
            name = "frameworks"
        if name is None:
            name = (
                "postgres"
                if "postgres" in cmd
                else "kafka"
                if "kafka" in cmd and "java" in cmd
                else "bench"
                if int(pid) == os.getpid()
                else None
            )
        if name is not None:
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def peak_rss_mib(pid: int) -> float:
    """The most memory the process has held resident so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def company_csv(n: int, seed: int = 11) -> bytes:
    """N people: a director per 400, a manager per 8, the rest engineers."""
    rnd = random.Random(seed)
    out = io.StringIO()
    out.write(
        "employee_id,display_name,job_code,job_title,manager_id,department_id,location,hire_date,group.gender\n"
    )
    directors: list[str] = []
    managers: list[str] = []
    for i in range(n):
        emp = f"E{i:07d}"
        if i % 400 == 0:
            code, boss = "DIR", (directors[0] if directors else "")
            directors.append(emp)
        elif i % 8 == 1:
            code, boss = "MGR", directors[-1]
            managers.append(emp)
        else:
            code, boss = rnd.choice(["ENG1", "ENG1", "ENG2"]), managers[-1] if managers else ""
        hired = date(2015 + rnd.randrange(11), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        out.write(
            f"{emp},Person {i},{code},{code},{boss},D{i // 2000:03d},"
            f"{rnd.choice(['Berlin', 'Lisbon', 'Austin', 'Remote'])},{hired.isoformat()},"
            f"{rnd.choice('fmx')}\n"
        )
    return out.getvalue().encode()


async def baseline(bootstrap: str, n: int) -> float:
    """Seconds to produce N hired events to a fresh topic and read them all back."""
    topic = f"bench.onboarding.baseline.{uuid.uuid4().hex[:8]}"
    await kafka.create_topics(bootstrap, [topic], partitions=3)
    events = [
        encode(
            make_event(
                EmployeeHired(
                    employee_id=f"E{i:07d}",
                    effective_date=date(2026, 1, 1),
                    recorded_at=datetime.now(UTC),
                    display_name=f"Person {i}",
                    details=EmploymentDetails(
                        role_id="engineering.software-engineer",
                        job_code="ENG1",
                        manager_id="E0000001",
                        department_id="D001",
                        location="Berlin",
                        group_attributes={"gender": "f"},
                    ),
                ),
                tenant_id="baseline",
                source="/careerstream/hris",
            )
        )
        for i in range(n)
    ]
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest"
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        t0 = time.perf_counter()
        for i, value in enumerate(events):
            await producer.send(topic, value, key=f"baseline:E{i:07d}".encode())
        await producer.flush()
        got = 0
        while got < n:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                got += len(records)
        return time.perf_counter() - t0
    finally:
        await producer.stop()
        await consumer.stop()


async def main(ep: Endpoints, n: int, deadline: float) -> None:
    await kafka.create_platform_topics(ep.kafka_bootstrap, platform_topics(), partitions=3)
    base = await baseline(ep.kafka_bootstrap, n)
    print(
        f"baseline: {n:,} events produced and consumed by bare aiokafka in {base:.1f}s", flush=True
    )
    tenant = f"onb{uuid.uuid4().hex[:6]}"
    hr = auth(tenant, "HR", "hr_admin")
    body = company_csv(n)
    with tempfile.TemporaryDirectory() as logs:
        async with platform(ep, Path(logs), migrated=False) as p:
            imported = await p["frameworks"].post(
                "/v1/frameworks/import?publish=true",
                content=EXAMPLE.read_bytes(),
                headers={**hr, "Content-Type": "application/yaml"},
            )
            assert imported.status_code == 201, imported.text
            for code, role in JOBS.items():
                r = await p["hris"].put(
                    f"/v1/job-mappings/{code}", json={"role_id": role}, headers=hr
                )
                assert r.status_code == 200, r.text
            dbs = {
                name: await asyncpg.connect(
                    p.services[name].env[f"{name.upper()}_DATABASE_URL"].replace("+asyncpg", "")
                )
                for name in DIRECTORIES
            }
            try:
                cpu0 = cpu_by_process()
                t0 = time.perf_counter()
                up = await p["hris"].post(
                    "/v1/imports",
                    content=body,
                    headers={**hr, "Content-Type": "text/csv"},
                    timeout=300,
                )
                assert up.status_code in (201, 202), up.text
                accepted = time.perf_counter() - t0
                print(f"upload checked and accepted in {accepted:.1f}s ({len(body) / 1e6:.1f} MB)")
                done_at: dict[str, float] = {}
                while len(done_at) < len(DIRECTORIES):
                    await asyncio.sleep(1)
                    counts = {}
                    for name, table in DIRECTORIES.items():
                        counts[name] = await dbs[name].fetchval(
                            f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant
                        )
                        if counts[name] >= n and name not in done_at:
                            done_at[name] = time.perf_counter() - t0
                    elapsed = time.perf_counter() - t0
                    print(
                        f"{elapsed:6.1f}s  " + "  ".join(f"{k} {v:>7,}" for k, v in counts.items()),
                        flush=True,
                    )
                    if elapsed > deadline:
                        raise SystemExit(f"not onboarded within {deadline:.0f} s")
                cpu1 = cpu_by_process()
                # What HR reads next: every metrics view over the whole company.
                reads: dict[str, float] = {}
                for view in (
                    "headline",
                    "mobility",
                    "development",
                    "skills",
                    "engagement",
                    "retention",
                    "fairness",
                ):
                    t = time.perf_counter()
                    query = "?attribute=gender" if view == "fairness" else ""
                    r = await p["metrics"].get(
                        f"/v1/metrics/{view}{query}", headers=hr, timeout=120
                    )
                    assert r.status_code == 200, f"{view}: {r.status_code} {r.text[:500]}"
                    reads[view] = time.perf_counter() - t
                # The goal: no process above 1 GiB (issue 20). Each service's peak so far.
                peaks = {
                    name: peak_rss_mib(svc.process.pid)
                    for name, svc in p.services.items()
                    if svc.process is not None
                }
            finally:
                for conn in dbs.values():
                    await conn.close()
    total = max(done_at.values())
    print()
    print(f"{n:,} employees onboarded into every service in {total:.1f}s")
    for name, t in done_at.items():
        print(f"  {name:<12} all {n:,} after {t:5.1f}s")
    print(f"onboarding / baseline = {total / base:.1f}")
    print(
        "metrics views over the whole company: "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in reads.items())
    )
    print(
        "peak resident memory per service process (MiB): "
        + ", ".join(f"{k} {v:.0f}" for k, v in sorted(peaks.items(), key=lambda kv: -kv[1]))
    )
    used = {k: cpu1.get(k, 0.0) - cpu0.get(k, 0.0) for k in cpu1}
    print(f"CPU seconds while onboarding ({os.cpu_count()} cores, {total:.0f}s of wall time):")
    for k, v in sorted(used.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<12} {v:6.1f}s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument(
        "--deadline", type=float, default=900, help="seconds before the run is given up"
    )
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(main(ep, args.employees, args.deadline))
