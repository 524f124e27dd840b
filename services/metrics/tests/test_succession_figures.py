"""Bench strength in the metrics, from mobility's bench counts on real Kafka and PostgreSQL:
hand-computed figures, a late count never undoing a newer one, a role no longer critical
leaving the figures, and hr_admin alone reading them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from careerstream.contracts.events.mobility import BenchChanged
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def bench(
    role: str, now: int, soon: int, later: int, minute: int, critical: bool = True
) -> BenchChanged:
    return BenchChanged(
        role_id=role,
        critical=critical,
        ready_now=now,
        ready_soon=soon,
        later=later,
        nominated=1 if critical else 0,
        incumbents=1,
        changed_at=T0 + timedelta(minutes=minute),
    )


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics") as running:
        yield running


async def test_bench_strength_from_bench_counts(svc: RunningService, emit: Emit) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    await emit(
        framework(),
        bench("eng.senior", 1, 2, 1, 1),
        bench("eng.lead", 0, 1, 0, 1),
        bench("eng.engineer", 0, 0, 0, 1),
        bench("eng.lead", 2, 0, 0, 5),
        bench("eng.lead", 0, 0, 0, 3),  # recorded before the last: ignored
        bench("eng.engineer", 3, 0, 0, 2),
        bench("eng.engineer", 0, 0, 0, 4, critical=False),  # no longer critical
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.benches WHERE tenant_id = $1 AND NOT critical",
        tenant,
        want=1,
    )
    await wait_until(
        svc,
        "SELECT ready_now FROM metrics.benches WHERE tenant_id = $1 AND role_id = 'eng.lead'",
        tenant,
        want=2,
    )
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    got = (await c.get("/v1/metrics/succession", headers=hr)).json()
    # Critical: eng.senior (1 now, 2 soon, 1 later) and eng.lead (2 now).
    assert got == {
        "family": None,
        "critical_roles": 2,
        "critical_roles_with_ready_now_successor": 2,
        "ready_now_coverage": 1.0,
        "bench_strength": round((1 + 2 + 2) / 2, 2),
        "successors_ready_now": 3,
        "successors_ready_1_2_years": 2,
        "nominated_share": round(2 / 6, 4),
        "critical_roles_without_successor": 0,
    }
    await wait_until(svc, "SELECT count(*) FROM metrics.roles WHERE tenant_id = $1", tenant, want=3)
    by_family = (await c.get("/v1/metrics/succession?family=eng", headers=hr)).json()
    assert by_family["critical_roles"] == 2
    none = (await c.get("/v1/metrics/succession?family=sales", headers=hr)).json()
    assert (none["critical_roles"], none["ready_now_coverage"]) == (0, None)
    for who in (auth(tenant, "M", "manager"), auth(tenant, "E")):
        r = await c.get("/v1/metrics/succession", headers=who)
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
