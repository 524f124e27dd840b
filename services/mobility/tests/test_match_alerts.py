"""When an opportunity is posted, mobility publishes who it fits — by skills AND by what they
said they aim for — on the restricted match topic, for the notifications service to tell them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from careerstream.contracts.topics import MATCH
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
STRONG = {"craft": 4, "design": 4, "collaboration": 4, "ownership": 4}
WEAK = {"craft": 1, "design": 1, "collaboration": 1, "ownership": 1}
MATCHED = "careerstream.mobility.opportunity.matched.v1"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


async def test_a_posting_names_those_it_fits_by_skill_and_aspiration(
    svc: RunningService, emit: Emit, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    # AIM: strong, aims for the role. WEAKAIM: aims for it, far from it. QUIET: strong, states
    # nothing. FAM: strong, aims for the family. PROJ: open to projects. OTHER: another
    # department (for the department-only posting). HM posts.
    people = {
        "AIM": STRONG,
        "WEAKAIM": WEAK,
        "QUIET": STRONG,
        "FAM": STRONG,
        "PROJ": STRONG,
        "OTHER": STRONG,
        "HM": STRONG,
    }
    await emit(
        framework(),
        *[
            hired(
                e, "eng.engineer", "HM" if e != "HM" else None, dept="D2" if e == "OTHER" else "D1"
            )
            for e in people
        ],
        *[completed(e, "eng.engineer", lv) for e, lv in people.items()],
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND levels <> '{}'",
        tenant,
        want=len(people),
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.roles WHERE tenant_id = $1", tenant, want=3
    )
    c = svc.client
    for emp, body in {
        "AIM": {"target_role_ids": ["eng.senior"]},
        "WEAKAIM": {"target_role_ids": ["eng.senior"]},
        "OTHER": {"target_role_ids": ["eng.senior"]},
        "FAM": {"target_family_ids": ["eng"]},
        "PROJ": {"open_to_projects": True},
    }.items():
        r = await c.put(f"/v1/employees/{emp}/aspirations", json=body, headers=auth(tenant, emp))
        assert r.status_code == 200, r.text
    hm = auth(tenant, "HM", "manager")

    async with event_tap(MATCH) as tap:
        role = await c.post(
            "/v1/opportunities",
            json={"kind": "role", "title": "Senior engineer", "role_id": "eng.senior"},
            headers=hm,
        )
        assert role.status_code == 201, role.text
        (event,) = await tap.expect(
            {"type": MATCHED, "data": {"opportunity_id": role.json()["opportunity_id"]}},
            tenant=tenant,
        )
    told = event["data"]["employee_ids"]
    assert "AIM" in told
    assert "FAM" in told  # aims for the family
    assert "OTHER" in told  # the posting is open to the whole tenant
    assert "WEAKAIM" not in told  # aims for it, but far below the threshold
    assert "QUIET" not in told  # fits, but said nothing of wanting it
    assert "PROJ" not in told  # open to projects, and this is a role
    assert "HM" not in told
    assert event["data"]["title"] == "Senior engineer"
    assert event["data"]["threshold"] == 0.6

    async with event_tap(MATCH) as tap:
        gig = await c.post(
            "/v1/opportunities",
            json={
                "kind": "gig",
                "title": "Data clean-up",
                "required": {"craft": 2},
                "duration_weeks": 4,
                "visibility": "department",
                "department_id": "D1",
            },
            headers=hm,
        )
        assert gig.status_code == 201, gig.text
        (event,) = await tap.expect(
            {"type": MATCHED, "data": {"opportunity_id": gig.json()["opportunity_id"]}},
            tenant=tenant,
        )
    assert event["data"]["employee_ids"] == ["PROJ"]
