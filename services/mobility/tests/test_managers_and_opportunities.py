"""Managers and the marketplace: a manager sees the opportunities that fit the reports who let
them (for career conversations), and is told when a report is shortlisted — unless the tenant
turned that off; they have no say in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from careerstream.contracts.topics import APPLICATION
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
LEVELS = {"craft": 3, "design": 2, "collaboration": 3, "ownership": 2}
SHORTLISTED = "careerstream.mobility.candidate.shortlisted.v1"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


async def test_managers_see_shared_matches_and_hear_of_shortlists(
    svc: RunningService, emit: Emit, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    # D -> M -> A (shares matches), B (does not); D -> HM (hiring, in D2).
    people = ["D", "M", "A", "B", "HM"]
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("A", "eng.engineer", "M"),
        hired("B", "eng.engineer", "M"),
        hired("HM", "eng.lead", "D", dept="D2"),
        *[completed(e, "eng.engineer", LEVELS) for e in people],
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
    m, hm, hr = (
        auth(tenant, "M", "manager"),
        auth(tenant, "HM", "manager"),
        auth(tenant, "HR", "hr_admin"),
    )
    shared = await c.put(
        "/v1/employees/A/aspirations",
        json={"share_matches_with_manager": True, "target_role_ids": ["eng.senior"]},
        headers=auth(tenant, "A"),
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["share_matches_with_manager"] is True

    async def post(body: dict[str, object]) -> str:
        r = await c.post("/v1/opportunities", json=body, headers=hm)
        assert r.status_code == 201, r.text
        return str(r.json()["opportunity_id"])

    senior = await post({"kind": "role", "title": "Senior engineer", "role_id": "eng.senior"})
    await post(
        {
            "kind": "role",
            "title": "D2 only",
            "role_id": "eng.senior",
            "visibility": "department",
            "department_id": "D2",
        }
    )

    listed = await c.get("/v1/me/reports/opportunities", headers=m)
    assert listed.status_code == 200, listed.text
    by_report = {r["employee_id"]: r for r in listed.json()}
    assert set(by_report) == {"A", "B"}
    assert by_report["B"] == {"employee_id": "B", "shared": False, "opportunities": []}
    # A sees, through M, what A may see: not the D2-only role.
    assert [o["opportunity_id"] for o in by_report["A"]["opportunities"]] == [senior]
    assert by_report["A"]["opportunities"][0]["move_kind"] == "promotion"
    # Someone with no reports sees an empty list; bad limits are named.
    assert (await c.get("/v1/me/reports/opportunities", headers=auth(tenant, "A"))).json() == []
    bad = await c.get("/v1/me/reports/opportunities?limit=0", headers=m)
    assert bad.status_code == 422
    assert "limit" in bad.text

    # A applies and is shortlisted: M, A's manager, is named to be told.
    applied = await c.post(
        f"/v1/opportunities/{senior}/applications", json={"note": ""}, headers=auth(tenant, "A")
    )
    assert applied.status_code == 201, applied.text
    async with event_tap(APPLICATION) as tap:
        r = await c.post(
            f"/v1/applications/{applied.json()['application_id']}/shortlist", headers=hm
        )
        assert r.status_code == 200, r.text
        (event,) = await tap.expect(
            {"type": SHORTLISTED, "data": {"employee_id": "A"}}, tenant=tenant
        )
    assert event["data"]["current_manager_id"] == "M"

    # HR turns it off: B's shortlist names nobody.
    assert (await c.get("/v1/marketplace-settings", headers=m)).json() == {
        "tell_manager_on_shortlist": True
    }
    off = {"tell_manager_on_shortlist": False}
    assert (await c.put("/v1/marketplace-settings", json=off, headers=m)).status_code == 403
    bad_setting = await c.put(
        "/v1/marketplace-settings", json={"tell_manager_on_shortlist": "maybe"}, headers=hr
    )
    assert bad_setting.status_code == 422
    assert (await c.put("/v1/marketplace-settings", json=off, headers=hr)).json() == off
    applied = await c.post(
        f"/v1/opportunities/{senior}/applications", json={"note": ""}, headers=auth(tenant, "B")
    )
    async with event_tap(APPLICATION) as tap:
        r = await c.post(
            f"/v1/applications/{applied.json()['application_id']}/shortlist", headers=hm
        )
        assert r.status_code == 200, r.text
        (event,) = await tap.expect(
            {"type": SHORTLISTED, "data": {"employee_id": "B"}}, tenant=tenant
        )
    assert event["data"].get("current_manager_id") is None
