"""Group attributes reach metrics apart from the employee stream (`groups.recorded`, a topic only
metrics reads), on real Kafka and PostgreSQL: whichever of the two arrives first, and a record
older than the one held never undoes it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from careerstream.contracts.events import hris as h
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=1) as running:
        yield running


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _hire(emp: str) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=_at("2024-01-01"),
        details=h.EmploymentDetails(role_id="eng.engineer", department_id="D1"),
    )


def _groups(emp: str, gender: str, recorded: str) -> h.GroupsRecorded:
    return h.GroupsRecorded(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=_at(recorded),
        group_attributes={"gender": gender},
    )


async def test_fairness_groups_come_from_the_groups_topic(svc: RunningService, emit: Emit) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    await emit(
        framework(),
        _groups("E", "x", "2024-01-01"),  # before E is hired: kept for when they are
        *(_hire(e) for e in "ABCD"),
        _groups("A", "f", "2024-01-02"),
        _groups("B", "m", "2024-01-02"),
        _groups("C", "f", "2024-01-02"),
        _groups("D", "f", "2024-03-01"),
        _groups("D", "m", "2024-02-01"),  # recorded before the one held: ignored
        _hire("E"),  # names no group attributes: leaves those recorded
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1 AND hired_on IS NOT NULL"
        " AND group_attributes IS NOT NULL",
        tenant,
        want=5,
    )
    hr = auth(tenant, "HR", "hr_admin")
    resp = await svc.client.get(
        "/v1/metrics/fairness?from=2024-01-01&to=2025-01-01&attribute=gender", headers=hr
    )
    assert resp.status_code == 200, resp.text
    heads = {g["group"]: g["headcount"] for g in resp.json()["groups"]}
    assert heads == {"f": 3, "m": 1, "x": 1}
