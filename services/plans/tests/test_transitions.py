"""Transitions on real Kafka and PostgreSQL: a move closes the open plan and drafts a plan for
the new role from its gaps, tells the new manager, and happens once per move."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from careerstream.contracts.events.hris import ChangeReason, EmployeeChanged, EmploymentDetails
from careerstream.contracts.events.mobility import MoveKind, RoleFilled
from careerstream.contracts.topics import PLAN
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, changed, framework, gaps, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
DRAFTED = "careerstream.plans.transition.drafted.v1"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("plans") as running:
        yield running


def fill(emp: str, role: str, manager: str, opportunity: str) -> RoleFilled:
    return RoleFilled(
        opportunity_id=opportunity,
        internal=True,
        employee_id=emp,
        from_role_id="eng.engineer",
        to_role_id=role,
        move_kind=MoveKind.PROMOTION,
        hiring_manager_id=manager,
        posted_at=datetime.now(UTC) - timedelta(days=20),
        filled_at=datetime.now(UTC),
    )


async def _consumed(svc: RunningService, consumer: str, tenant: str, want: int) -> None:
    await wait_until(
        svc,
        "SELECT count(*) FROM plans.inbox WHERE consumer = $1 AND event_id LIKE $2",
        consumer,
        f"{tenant}|%",
        want=want,
    )


async def test_a_move_drafts_a_plan_for_the_new_role_once(
    svc: RunningService, emit: Emit, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("M2", "eng.lead", "D"),
        hired("E1", "eng.engineer", "M"),
        hired("E2", "eng.engineer", "M"),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=5
    )
    await wait_until(svc, "SELECT count(*) FROM plans.roles WHERE tenant_id = $1", tenant, want=3)
    # E1 was assessed as an engineer: craft 1, design 2, collaboration 3 (ownership not rated).
    await emit(
        gaps("E1", "eng.engineer", {"craft": (1, 2), "design": (2, 2), "collaboration": (3, 2)}),
        tenant=tenant,
        source="assessments",
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM plans.plans WHERE tenant_id = $1 AND employee_id = 'E1'",
        tenant,
        want=1,
    )
    first = await svc.scalar(
        "SELECT plan_id FROM plans.plans WHERE tenant_id = $1 AND employee_id = 'E1'", tenant
    )

    async with event_tap(PLAN) as tap:
        # The HRIS promotes E1 to senior, under M2.
        await emit(changed("E1", role_id="eng.senior", manager_id="M2"), tenant=tenant)
        (drafted,) = await tap.expect(
            {"type": DRAFTED, "data": {"employee_id": "E1"}}, tenant=tenant
        )
    d = drafted["data"]
    # Senior asks craft 4, design 3, collaboration 3, ownership 3: two gaps, one unknown.
    assert d["manager_id"] == "M2"
    assert (d["from_role_id"], d["to_role_id"], d["source"]) == (
        "eng.engineer",
        "eng.senior",
        "hris",
    )
    assert d["closed_plan_id"] == first
    assert d["goals"] == 2
    assert d["unknown_competencies"] == ["ownership"]
    assert await svc.scalar("SELECT outcome FROM plans.plans WHERE plan_id = $1", first) == (
        "closed_on_move"
    )
    plan = await svc.client.get(f"/v1/plans/{d['plan_id']}", headers=auth(tenant, "E1"))
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["status"] == "draft"
    assert body["transition_to_role_id"] == "eng.senior"
    assert sorted((g["competency_id"], g["from_level"], g["to_level"]) for g in body["goals"]) == [
        ("craft", 1, 4),
        ("design", 2, 3),
    ]
    # The new manager approves it (the HRIS made them E1's manager).
    approved = await svc.client.post(
        f"/v1/plans/{d['plan_id']}/approve", headers=auth(tenant, "M2", "manager")
    )
    assert approved.status_code == 200, approved.text

    # The marketplace records the same move: no second transition plan.
    await emit(fill("E1", "eng.senior", "M2", "O1"), tenant=tenant, source="mobility")
    await _consumed(svc, "plans-moves", tenant, want=1)
    assert (
        await svc.scalar(
            "SELECT count(*) FROM plans.plans WHERE tenant_id = $1 AND employee_id = 'E1'", tenant
        )
        == 2
    )

    async with event_tap(PLAN) as tap:
        # E2 is selected for a lead role through the marketplace, never assessed.
        await emit(fill("E2", "eng.lead", "D", "O2"), tenant=tenant, source="mobility")
        (drafted,) = await tap.expect(
            {"type": DRAFTED, "data": {"employee_id": "E2"}}, tenant=tenant
        )
    d = drafted["data"]
    assert (d["manager_id"], d["source"], d["closed_plan_id"]) == ("D", "marketplace", None)
    assert d["goals"] == 0
    assert d["unknown_competencies"] == ["collaboration", "craft", "leadership", "ownership"]

    # A correction of E2's role in the HRIS is not a move.
    correction = EmployeeChanged(
        employee_id="E2",
        effective_date=date(2026, 6, 1),
        recorded_at=datetime.now(UTC),
        changed_fields=["role_id"],
        details=EmploymentDetails(role_id="eng.senior"),
        reason=ChangeReason.CORRECTION,
    )
    await emit(correction, tenant=tenant)
    await wait_until(
        svc,
        "SELECT role_id FROM plans.employees WHERE tenant_id = $1 AND employee_id = 'E2'",
        tenant,
        want="eng.senior",
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM plans.plans WHERE tenant_id = $1 AND employee_id = 'E2'", tenant
        )
        == 1
    )
