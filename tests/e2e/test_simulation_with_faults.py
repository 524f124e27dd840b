"""A simulated company on the whole platform while services are SIGKILLed and restarted at random
moments and the Kafka broker restarts once: nothing is lost, nothing counted twice."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from careerstream.devstack import kafka
from careerstream.devstack.config import StackConfig
from careerstream.devstack.processes import Platform, eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.simulation import Simulation, Truth, Urls
from careerstream.devstack.stack import SERVICES, Endpoints

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


async def _chaos(
    p: Platform,
    stopping: asyncio.Event,
    covered: asyncio.Event,
    seed: int,
    restart_kafka: bool,
) -> list[str]:
    """Every second or so, SIGKILL a service and start it again (each service in turn, in a
    shuffled order), and restart the broker once; `covered` is set once all of it happened."""
    rnd = random.Random(seed)
    done: list[str] = []
    kafka_done = not restart_kafka
    order: list[str] = []
    while not stopping.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), rnd.uniform(0.5, 1.2))
        if stopping.is_set():
            break
        if not kafka_done and len(done) >= 2:
            cfg = StackConfig.for_tests()
            await asyncio.to_thread(kafka.stop, cfg)
            await asyncio.to_thread(kafka.start, cfg)
            kafka_done = True
            done.append("kafka")
            continue
        if not order:
            order = list(SERVICES)
            rnd.shuffle(order)
        name = order.pop()
        # At any moment, requests in flight included: the simulator retries its writes with
        # their Idempotency-Key, so each is applied once whether or not it was cut off.
        await p.restart(name, signal.SIGKILL)
        done.append(name)
        if kafka_done and set(SERVICES) <= set(done):
            covered.set()
    return done


async def _converged(p: Platform, tenant: str, truth: Truth) -> Any:
    hr = auth(tenant, "HR", "hr_admin")
    mob = (await p["metrics"].get("/v1/metrics/mobility", headers=hr)).json()
    eng = (await p["metrics"].get("/v1/metrics/engagement", headers=hr)).json()
    summary = (await p["plans"].get("/v1/plans/summary", headers=hr)).json()
    active = (
        summary["plans"].get("active", 0)
        + summary["plans"].get("completed", 0)
        + summary["plans"].get("closed", 0)
    )
    got = {
        "fills": mob.get("fills"),
        "internal": mob.get("internal_fills"),
        "promotions": mob.get("promotions"),
        "conversations": eng.get("conversations"),
        "headcount": mob.get("headcount"),
    }
    want = {
        "fills": truth.fills,
        "internal": truth.internal_fills,
        "promotions": truth.promotions,
        "conversations": truth.conversations,
        "headcount": truth.hires,
    }
    return (got, active) if got == want and active >= truth.plans_approved else None


async def test_a_simulated_company_survives_killed_services_and_a_broker_restart(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    local_kafka = not endpoints.external_kafka and await asyncio.to_thread(
        kafka.is_running, StackConfig.for_tests()
    )
    tenant = f"sim{datetime.now(UTC).strftime('%H%M%S%f')}"
    env = {"METRICS_ANONYMITY_THRESHOLD": "1", "HRIS_IMPORT_POLL_SECONDS": "0.2"}
    async with platform(endpoints, tmp_path, env) as p:
        urls = Urls(**{name: svc.url for name, svc in p.services.items()})
        sim = Simulation(
            urls,
            endpoints.kafka_bootstrap,
            tenant=tenant,
            employees=60,
            months=3,
            seed=11,
            out=lambda s: None,
        )
        stopping, covered = asyncio.Event(), asyncio.Event()
        chaos = asyncio.create_task(_chaos(p, stopping, covered, seed=5, restart_kafka=local_kafka))
        try:
            truth = await sim.run()
            await asyncio.wait_for(covered.wait(), 120)  # every service killed at least once
        finally:
            stopping.set()
            killed = await chaos
        assert set(SERVICES) <= set(killed), killed
        if local_kafka:
            assert "kafka" in killed
        got, _ = await eventually(
            lambda: _converged(p, tenant, truth),
            "metrics equal to what the simulation did",
            timeout=180,
        )
        assert got["fills"] == truth.fills
        assert truth.hires >= 60
        # Nothing counted twice in the projections either.
        hr = auth(tenant, "HR", "hr_admin")
        cycles = (await p["assessments"].get("/v1/cycles", headers=hr)).json()
        assert len(cycles) == 1
        assert cycles[0]["progress"].get("completed", 0) == truth.assessments_completed
        # The reorganisation moved two departments under go-to-market (no person's record
        # changed): its figures hold theirs, and it has nobody of its own.
        assert truth.org_moves == 2

        async def headcount(dept: str) -> int:
            r = await p["metrics"].get(f"/v1/metrics/mobility?department={dept}", headers=hr)
            assert r.status_code == 200, r.text
            return int(r.json()["headcount"])

        async def regrouped() -> bool:
            parts = [await headcount(d) for d in ("marketing", "customer-success")]
            return min(parts) > 0 and await headcount("go-to-market") == sum(parts)

        await eventually(regrouped, "go-to-market's figures hold its two departments'")

        # The story ran on business time: roles filled in weeks, not in the seconds the
        # simulation took (postings are filled two to nine weeks after they open).
        mob = (await p["metrics"].get("/v1/metrics/mobility", headers=hr)).json()
        filled = [
            mob[k]
            for k in ("time_to_fill_internal_median_days", "time_to_fill_external_median_days")
            if mob.get(k) is not None
        ]
        assert filled, mob
        assert min(filled) >= 7, mob

        # Succession: HR's critical roles and the directors' nominations reach the figures.
        assert truth.critical_roles > 0

        async def benches() -> Any:
            r = await p["metrics"].get("/v1/metrics/succession", headers=hr)
            return r.status_code == 200 and r.json()["critical_roles"] == truth.critical_roles

        await eventually(benches, "the critical roles' benches reach the metrics")

        # Finance runs on a framework made from the platform's template, adapted once: its
        # people are assessed against the template's roles like everyone else.
        assert truth.template_changes >= 1
        # HR accepted the two skills the platform read in its description of a competency.
        assert truth.skills_linked == 2
        assert sim.linked_skills
        finance = next(x for x in sim.people.values() if x.department == "finance" and x.active)
        gaps = await p["assessments"].get(f"/v1/employees/{finance.employee_id}/gaps", headers=hr)
        assert gaps.status_code == 200, gaps.text
        assert gaps.json()["analyses"][0]["role_id"].startswith("finance."), gaps.text
