"""Who may do what with a person's plan, goals, actions, check-ins and conversations
(PLANS.md, "Who may do what"), asked by everyone around that person."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from careerstream.devstack.access import Cell, check
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, gaps, hired, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("plans") as running:
        yield running


async def test_the_plan_matrix(svc: RunningService, emit: Emit) -> None:
    tenant, other = f"t{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:10]}"
    # D -> M -> E (the person) and P (their peer).
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("E", "eng.engineer", "M"),
        hired("P", "eng.engineer", "M"),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=4
    )
    await emit(
        gaps("E", "eng.engineer", {"craft": (1, 3), "design": (1, 2)}),
        tenant=tenant,
        source="assessments",
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM plans.goals WHERE tenant_id = $1",
        tenant,
        want=2,
    )
    c = svc.client
    headers = {
        "self": auth(tenant, "E"),
        "peer": auth(tenant, "P"),
        "manager": auth(tenant, "M"),
        "skip_level": auth(tenant, "D"),
        "hr": auth(tenant, "HR", "hr_admin"),
        "other_tenant_hr": auth(other, "HR", "hr_admin"),
    }
    plan = (await c.get("/v1/plans?employee_id=E", headers=headers["hr"])).json()[0]["plan_id"]
    view = (await c.get(f"/v1/plans/{plan}", headers=headers["self"])).json()
    goal, other_goal = (g["goal_id"] for g in view["goals"])
    action = view["goals"][0]["actions"][0]["action_id"]
    soon = (date.today() + timedelta(days=30)).isoformat()
    now = datetime.now(UTC).isoformat()
    hidden = {"peer": 404, "other_tenant_hr": 404}

    cells = [
        Cell(
            "GET",
            f"/v1/plans/{plan}",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "GET",
            f"/v1/goals/{goal}/suggestions",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "GET",
            "/v1/employees/E/conversations",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "POST",
            f"/v1/goals/{goal}/progress",
            {**hidden, "self": 200, "manager": 403, "skip_level": 403, "hr": 403},
            body={"progress": 20},
        ),
        Cell(
            "POST",
            f"/v1/actions/{action}/status",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 403},
            body={"status": "in_progress"},
        ),
        Cell(
            "POST",
            f"/v1/goals/{goal}/actions",
            {**hidden, "self": 201, "manager": 201, "skip_level": 201, "hr": 403},
            body={"kind": "course", "title": "Design course", "owner_id": "E", "target_date": soon},
        ),
        Cell(
            "POST",
            f"/v1/plans/{plan}/goals",
            {**hidden, "self": 201, "manager": 409, "skip_level": 409, "hr": 403},
            body={"competency_id": "collaboration", "to_level": 3},
            allowed_order=("self",),  # then the goal exists: 409 for the others
        ),
        Cell(
            "POST",
            f"/v1/plans/{plan}/approve",
            {**hidden, "self": 403, "manager": 200, "skip_level": 409, "hr": 403},
            allowed_order=("manager",),  # then the plan is active: 409
        ),
        Cell(
            "POST",
            f"/v1/plans/{plan}/checkins",
            {**hidden, "self": 403, "manager": 201, "skip_level": 201, "hr": 403},
            body={"notes": "on track", "progress_rating": 4},
        ),
        Cell(
            "POST",
            "/v1/conversations",
            {
                "peer": 404,
                "other_tenant_hr": 404,
                "self": 403,
                "manager": 201,
                "skip_level": 201,
                "hr": 403,
            },
            body={"employee_id": "E", "held_at": now, "notes": "private"},
        ),
        Cell(
            "POST",
            f"/v1/goals/{other_goal}/complete",
            {**hidden, "self": 200, "manager": 409, "skip_level": 409, "hr": 403},
            body={"outcome": "achieved"},
            allowed_order=("self",),
        ),
    ]
    mismatches = await check(c, headers, cells)
    assert mismatches == [], "\n".join(mismatches)
