"""Who may do what with a person's aspirations and applications (MOBILITY.md, "Who may do
what"), asked by everyone around that person."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from careerstream.devstack.access import Cell, check
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


async def test_the_marketplace_matrix(svc: RunningService, emit: Emit) -> None:
    tenant, other = f"t{uuid.uuid4().hex[:10]}", f"t{uuid.uuid4().hex[:10]}"
    # D -> M -> E (the person) and P (their peer); H, under D, hires for a project.
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("H", "eng.lead", "D"),
        hired("E", "eng.engineer", "M"),
        hired("P", "eng.engineer", "M"),
        completed("E", "eng.engineer", {"craft": 3, "design": 3}),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1", tenant, want=5
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.roles WHERE tenant_id = $1", tenant, want=3
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
    posted = await c.post(
        "/v1/opportunities",
        json={
            "kind": "project",
            "title": "Payments rewrite",
            "required": {"craft": 2},
            "duration_weeks": 8,
            "time_share": 20,
        },
        headers=auth(tenant, "H", "manager"),
    )
    assert posted.status_code == 201, posted.text
    oid = posted.json()["opportunity_id"]
    applied = await c.post(f"/v1/opportunities/{oid}/applications", headers=headers["self"])
    assert applied.status_code == 201, applied.text
    app = applied.json()["application_id"]
    hidden = {"peer": 404, "other_tenant_hr": 404}

    cells = [
        Cell(
            "GET",
            "/v1/employees/E/aspirations",
            {**hidden, "self": 200, "manager": 200, "skip_level": 200, "hr": 200},
        ),
        Cell(
            "PUT",
            "/v1/employees/E/aspirations",
            {**hidden, "self": 200, "manager": 403, "skip_level": 403, "hr": 403},
            body={"open_to_projects": True, "open_to_approach": True},
        ),
        # E's application to H's project: H and HR run it; E's own managers do not.
        Cell(
            "POST",
            f"/v1/applications/{app}/shortlist",
            {**hidden, "self": 403, "manager": 404, "skip_level": 404, "hr": 200},
        ),
        Cell(
            "POST",
            f"/v1/applications/{app}/withdraw",
            {**hidden, "self": 200, "manager": 404, "skip_level": 404, "hr": 403},
        ),
    ]
    mismatches = await check(c, headers, cells)
    assert mismatches == [], "\n".join(mismatches)
    # Who sees the application in lists: E and those who run the opportunity, nobody else.
    for actor, sees in (("self", True), ("peer", False), ("manager", False), ("hr", True)):
        listed = (await c.get("/v1/applications", headers=headers[actor])).json()
        assert (app in {a["application_id"] for a in listed}) is sees, actor
