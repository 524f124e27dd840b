"""The headline (and so the CSV and the daily snapshot) and /retention answer alike for a window
that ends in the future: both measure retention as of now, not as of a day still to come."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from careerstream.contracts.events import hris as h
from careerstream.contracts.events import mobility as m
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=1) as running:
        yield running


def _hire(emp: str) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2020, 1, 1),
        recorded_at=datetime(2020, 1, 1, tzinfo=UTC),
        display_name=emp,
        details=h.EmploymentDetails(role_id="eng.engineer", department_id="D1"),
    )


def _promotion(oid: str, emp: str, at: datetime) -> list[object]:
    return [
        m.OpportunityPosted(
            opportunity_id=oid,
            kind=m.OpportunityKind.ROLE,
            title=oid,
            role_id="eng.senior",
            family_id="eng",
            required=[m.RequiredCompetency(competency_id="craft", level=3)],
            hiring_manager_id="M",
            posted_at=at - timedelta(days=10),
        ),
        m.RoleFilled(
            opportunity_id=oid,
            internal=True,
            employee_id=emp,
            from_role_id="eng.engineer",
            to_role_id="eng.senior",
            move_kind=m.MoveKind.PROMOTION,
            posted_at=at - timedelta(days=10),
            filled_at=at,
        ),
    ]


async def test_headline_and_retention_agree_on_a_window_ending_later(
    svc: RunningService, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    now = datetime.now(UTC)
    # P1 promoted 400 days ago and still here; P2 promoted 350 days ago, left 10 days ago.
    # As of now, only P1 is 12 months (365.25 days) past the promotion: retained 1 of 1.
    # As of the window's end (30 days from now) P2 would count too: 1 of 2.
    left = (now - timedelta(days=10)).date()
    await emit(
        framework(),
        _hire("P1"),
        _hire("P2"),
        _hire("P3"),
        *_promotion("O1", "P1", now - timedelta(days=400)),
        *_promotion("O2", "P2", now - timedelta(days=350)),
        h.EmployeeTerminated(
            employee_id="P2",
            effective_date=left,
            recorded_at=now - timedelta(days=10),
            voluntary=True,
        ),
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1 AND filled_at IS NOT NULL",
        tenant,
        want=2,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1 AND left_on IS NOT NULL",
        tenant,
        want=1,
    )
    window = f"from={(now - timedelta(days=500)).date()}&to={(now + timedelta(days=30)).date()}"
    hr = auth(tenant, "HR", "hr_admin")
    retention = (await svc.client.get(f"/v1/metrics/retention?{window}", headers=hr)).json()
    headline = (await svc.client.get(f"/v1/metrics/headline?{window}", headers=hr)).json()
    assert retention["promoted"]["retention_12m"] == 1.0
    assert retention["promoted"]["retention_12m_eligible"] == 1
    assert headline["figures"]["retention_12m_promoted"] == 1.0
    csv = (await svc.client.get(f"/v1/metrics/export.csv?{window}", headers=hr)).text
    assert "\nretention_12m_promoted,1.0," in csv
