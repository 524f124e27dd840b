"""Who may do what with a person's assessment, gaps and target role (ASSESSMENTS.md,
"Who may do what"), asked by everyone around that person."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from careerstream.devstack.access import Cell, check
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.testing import RunningService, ServiceUnderTest

from .world import auth, company, in_a_week, ratings, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
ENGINEER = ["collaboration", "craft", "design", "ownership"]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("assessments") as running:
        yield running


async def test_the_assessment_matrix(svc: RunningService, emit: Emit) -> None:
    tenant, other = f"t{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:10]}"
    # D -> M -> E1 (the person), E2 (their peer), E3; D -> P.
    await emit(*company(), tenant=tenant)
    await wait_until(
        svc, "SELECT count(*) FROM assessments.employees WHERE tenant_id = $1", tenant, want=7
    )
    await wait_until(
        svc, "SELECT count(*) FROM assessments.roles WHERE tenant_id = $1", tenant, want=3
    )
    c = svc.client
    headers = {
        "self": auth(tenant, "E1"),
        "peer": auth(tenant, "E2"),
        "manager": auth(tenant, "M"),
        "skip_level": auth(tenant, "D"),
        "hr": auth(tenant, "HR", "hr_admin"),
        "other_tenant_hr": auth(other, "HR", "hr_admin"),
    }
    opened = await c.post(
        "/v1/cycles", json={"name": "H2", "deadline": in_a_week()}, headers=headers["hr"]
    )
    assert opened.status_code == 201, opened.text
    rows = (await c.get("/v1/assessments?employee_id=E1&status=open", headers=headers["hr"])).json()
    a = rows[0]["assessment_id"]
    hidden = {"peer": 404, "other_tenant_hr": 404}

    cells = [
        Cell(
            "GET",
            f"/v1/assessments/{a}",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "GET",
            "/v1/employees/E1/gaps",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "PUT",
            "/v1/employees/E1/target-role",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
            body={"role_id": "eng.senior"},
        ),
        Cell(
            "POST",
            f"/v1/assessments/{a}/peers",
            {**hidden, "self": 200, "manager": 200, "skip_level": 403, "hr": 200},
            body={"peer_ids": ["P"]},
        ),
        Cell(
            "POST",
            f"/v1/assessments/{a}/submissions",
            {**hidden, "self": 201, "manager": 201, "skip_level": 403, "hr": 403},
            body=ratings(3, ENGINEER),
            allowed_order=("self", "manager"),
        ),
        Cell(
            "POST",
            f"/v1/assessments/{a}/calibrations",
            # Without the hr_admin role the answer is 403 whoever the person is.
            {
                "peer": 403,
                "other_tenant_hr": 404,
                "self": 403,
                "manager": 403,
                "skip_level": 403,
                "hr": 200,
            },
            body={"competency_id": "craft", "level": 4, "reason": "calibration panel"},
        ),
        Cell(
            "GET",
            "/v1/skills-matrix?group_by=team&group_id=M",
            {
                "self": 404,
                "peer": 404,
                "manager": 200,
                "skip_level": 200,
                "hr": 200,
                "other_tenant_hr": 200,
            },
        ),
    ]
    mismatches = await check(c, headers, cells)
    assert mismatches == [], "\n".join(mismatches)
    # Another tenant's HR reads its own (empty) tenant: nothing of this one.
    theirs = await c.get(
        "/v1/skills-matrix?group_by=team&group_id=M", headers=headers["other_tenant_hr"]
    )
    assert theirs.json()["groups"] == []
