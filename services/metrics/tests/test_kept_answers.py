"""A view's answer is kept with the version of the facts it was computed at
(service_layer/views.py): served again while the facts are unchanged, computed again once
they change, and, where the operator allows answers a few minutes old, refreshed in the
background before anyone asks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from careerstream.contracts.events import hris as h
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.metrics.service_layer import views

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

WINDOW = "from=2025-01-01&to=2026-01-01"


def _hire(emp: str) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=datetime(2024, 1, 1, tzinfo=UTC),
        details=h.EmploymentDetails(role_id="eng.engineer", department_id="D1"),
    )


async def _get(c: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    resp = await c.get(path, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _hired(svc: RunningService, emit: Emit, tenant: str, *people: str, total: int) -> None:
    await emit(*(_hire(p) for p in people), tenant=tenant)
    await wait_until(
        svc, "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1", tenant, want=total
    )


async def test_an_answer_is_kept_until_the_facts_change(
    service_under_test: ServiceUnderTest, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    hr = auth(tenant, "HR", "hr_admin")
    async with service_under_test("metrics", anonymity_threshold=1, view_max_age_seconds=0) as svc:
        await _hired(svc, emit, tenant, "P1", "P2", "P3", total=3)
        first = await _get(svc.client, f"/v1/metrics/mobility?{WINDOW}", hr)
        assert first["headcount"] == 3
        again = await _get(svc.client, f"/v1/metrics/mobility?{WINDOW}", hr)
        assert again == first  # the kept answer, computed_at and all
        assert (
            await svc.scalar(
                "SELECT count(*) FROM metrics.view_results WHERE tenant_id = $1", tenant
            )
            == 1
        )

        # A new fact: the next question is answered from the facts as they are now.
        await _hired(svc, emit, tenant, "P4", total=4)
        after = await _get(svc.client, f"/v1/metrics/mobility?{WINDOW}", hr)
        assert after["headcount"] == 4
        assert after["computed_at"] > first["computed_at"]

        # Each question is kept apart: another window, another answer.
        other = await _get(svc.client, "/v1/metrics/mobility?from=2023-01-01&to=2023-06-01", hr)
        assert other["suppressed"] is True  # nobody was employed then
        assert (
            await svc.scalar(
                "SELECT count(*) FROM metrics.view_results WHERE tenant_id = $1", tenant
            )
            == 2
        )


async def test_a_recent_answer_may_be_served_and_is_refreshed_in_the_background(
    service_under_test: ServiceUnderTest, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    hr = auth(tenant, "HR", "hr_admin")
    async with service_under_test(
        "metrics",
        anonymity_threshold=1,
        view_max_age_seconds=3600,
        view_refresh_seconds=3600,  # the test runs the refresher's round itself
    ) as svc:
        await _hired(svc, emit, tenant, "P1", "P2", "P3", total=3)
        first = await _get(svc.client, f"/v1/metrics/headline?{WINDOW}", hr)
        assert first["figures"]["headcount"] == 3

        await _hired(svc, emit, tenant, "P4", total=4)
        # Younger than the hour allowed: the answer computed before P4 is still served,
        # and says when it was computed.
        stale = await _get(svc.client, f"/v1/metrics/headline?{WINDOW}", hr)
        assert stale == first

        # The refresher computes again what was read and whose facts changed (here with no
        # minimum age, as on a service configured to serve only exact answers).
        done = await views.refresh(svc.runtime.uow, views.Policy(max_age=0, keep_warm=3600))
        assert done == 5  # the headline, and the four views it is made of (each kept)
        fresh = await _get(svc.client, f"/v1/metrics/headline?{WINDOW}", hr)
        assert fresh["figures"]["headcount"] == 4
        assert fresh["computed_at"] > first["computed_at"]
        # Nothing more to do until the facts change again.
        assert await views.refresh(svc.runtime.uow, views.Policy(max_age=0, keep_warm=3600)) == 0


async def test_a_managers_answer_is_kept_for_that_manager_alone(
    service_under_test: ServiceUnderTest, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    async with service_under_test("metrics", anonymity_threshold=1) as svc:
        await emit(
            *(
                h.EmployeeHired(
                    employee_id=p,
                    effective_date=date(2024, 1, 1),
                    recorded_at=datetime(2024, 1, 1, tzinfo=UTC),
                    details=h.EmploymentDetails(
                        role_id="eng.engineer", department_id="D1", manager_id="M"
                    ),
                )
                for p in ("P1", "P2", "P3")
            ),
            _hire("M"),
            tenant=tenant,
        )
        await wait_until(
            svc, "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1", tenant, want=4
        )
        path = f"/v1/metrics/engagement?{WINDOW}&manager=M"
        mine = await _get(svc.client, path, auth(tenant, "M", "manager"))
        assert mine["suppressed"] is False
        # Another manager asking the same question is refused, not served the kept answer.
        resp = await svc.client.get(path, headers=auth(tenant, "X", "manager"))
        assert resp.status_code == 403
        assert (
            await svc.scalar(
                "SELECT viewer_id || '/' || manager_id FROM metrics.view_results WHERE tenant_id = $1",
                tenant,
            )
            == "M/M"
        )
