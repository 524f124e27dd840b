"""Promotions and lateral moves the HRIS records, counted with the marketplace's, each once.

Every expected figure is worked out by hand from the history below (METRICS.md, "Moves").
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from careerstream.contracts.events import hris as h
from careerstream.contracts.events import mobility as m
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
WINDOW = "from=2025-01-01&to=2026-01-01"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=3) as running:
        yield running


def hire(emp: str, role: str, manager: str | None = "M") -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=at("2024-01-01"),
        details=h.EmploymentDetails(role_id=role, manager_id=manager, department_id="D1"),
    )


def change(
    emp: str, role: str, on: str, reason: h.ChangeReason = h.ChangeReason.OTHER
) -> h.EmployeeChanged:
    return h.EmployeeChanged(
        employee_id=emp,
        effective_date=date.fromisoformat(on),
        recorded_at=at(on),
        changed_fields=["role_id"],
        details=h.EmploymentDetails(role_id=role),
        reason=reason,
    )


def history() -> list[object]:
    """M and P1-P7; roles: eng.engineer (rank 1), eng.senior and eng.lead (rank 2)."""
    return [
        framework(),
        hire("M", "eng.lead", manager=None),
        hire("P1", "eng.engineer"),
        hire("P2", "eng.senior"),
        hire("P3", "eng.engineer"),
        hire("P4", "eng.engineer"),
        hire("P5", "eng.engineer"),
        hire("P6", "eng.engineer"),
        hire("P7", "eng.senior"),
        # P1: up a level in the family, no reason given: a promotion the HRIS recorded.
        change("P1", "eng.senior", "2025-03-01"),
        # P2: the same rank on the other track: lateral.
        change("P2", "eng.lead", "2025-04-01"),
        # P3: selected through the marketplace; the HRIS records the same move two weeks later.
        m.RoleFilled(
            opportunity_id="O1",
            internal=True,
            employee_id="P3",
            from_role_id="eng.engineer",
            to_role_id="eng.senior",
            move_kind=m.MoveKind.PROMOTION,
            posted_at=at("2025-04-01"),
            filled_at=at("2025-05-01"),
        ),
        change("P3", "eng.senior", "2025-05-15"),
        # P4: a correction of the record is not a move.
        change("P4", "eng.senior", "2025-06-01", h.ChangeReason.CORRECTION),
        # P5: the vendor says promotion, into a role the framework does not know.
        change("P5", "ops.supervisor", "2025-07-01", h.ChangeReason.PROMOTION),
        # P6: promoted before the window.
        change("P6", "eng.senior", "2024-12-01"),
        # P7: a step down is neither.
        change("P7", "eng.engineer", "2025-08-01"),
    ]


async def test_hris_promotions_and_lateral_moves_count_with_the_marketplace_once(
    svc: RunningService, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    await emit(*history(), tenant=tenant)
    await wait_until(
        svc, "SELECT count(*) FROM metrics.role_history WHERE tenant_id = $1", tenant, want=15
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1 AND filled_at IS NOT NULL",
        tenant,
        want=1,
    )
    await wait_until(svc, "SELECT count(*) FROM metrics.roles WHERE tenant_id = $1", tenant, want=3)
    hr = auth(tenant, "HR", "hr_admin")

    r = await svc.client.get(f"/v1/metrics/mobility?{WINDOW}", headers=hr)
    assert r.status_code == 200, r.text
    mob = r.json()
    assert mob["headcount"] == 8
    # Promotions: P1 (HRIS), P3 (the fill, once), P5 (the vendor's reason). Lateral: P2.
    assert mob["promotions"] == 3
    assert mob["promotion_rate"] == round(3 / 8, 4)
    assert mob["lateral_moves"] == 1
    assert mob["lateral_move_rate"] == round(1 / 8, 4)
    assert mob["promotions_recorded_by_hris"] == 2
    assert mob["lateral_moves_recorded_by_hris"] == 1
    assert mob["internal_fills"] == 1

    # The promoted retention cohort is the same three people.
    r = await svc.client.get(f"/v1/metrics/retention?{WINDOW}", headers=hr)
    assert r.status_code == 200, r.text
    assert r.json()["promoted"]["cohort"] == 3
    assert r.json()["everyone_else"]["cohort"] == 5

    # The window before holds only P6's promotion.
    r = await svc.client.get("/v1/metrics/mobility?from=2024-01-01&to=2025-01-01", headers=hr)
    assert r.status_code == 200, r.text
    assert r.json()["promotions"] == 1
    assert r.json()["promotions_recorded_by_hris"] == 1
