"""Scaling out: two replicas each of assessments and metrics, and plans split into an API process
and a consumers process; the same simulation ends with the same figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from careerstream.devstack.processes import eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.simulation import Simulation, Urls
from careerstream.devstack.stack import Endpoints

from .test_simulation_with_faults import _converged

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


async def test_replicas_share_the_work_and_split_processes_agree(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"scale{datetime.now(UTC).strftime('%H%M%S%f')}"
    env = {"METRICS_ANONYMITY_THRESHOLD": "1", "HRIS_IMPORT_POLL_SECONDS": "0.2"}
    async with platform(
        endpoints, tmp_path, env, replicas={"assessments": 2, "metrics": 2}, split=("plans",)
    ) as p:
        assert set(p.extra) == {"assessments#2", "metrics#2", "plans#2"}
        urls = Urls(**{name: svc.url for name, svc in p.services.items()})
        sim = Simulation(
            urls,
            endpoints.kafka_bootstrap,
            tenant=tenant,
            employees=60,
            months=2,
            seed=23,
            out=lambda s: print(s, file=(tmp_path / "sim.log").open("a"), flush=True),
        )
        truth = await sim.run()
        got, _ = await eventually(
            lambda: _converged(p, tenant, truth),
            "figures equal to what the simulation did",
            timeout=180,
        )
        assert got["fills"] == truth.fills
        # The replicas' APIs answer the same.
        import httpx

        hr = auth(tenant, "HR", "hr_admin")
        async with httpx.AsyncClient(base_url=p.extra["metrics#2"].url) as other:
            assert (await other.get("/v1/metrics/mobility", headers=hr)).json() == (
                await p["metrics"].get("/v1/metrics/mobility", headers=hr)
            ).json()
        cycles = (await p["assessments"].get("/v1/cycles", headers=hr)).json()
        assert cycles[0]["progress"].get("completed", 0) == truth.assessments_completed
