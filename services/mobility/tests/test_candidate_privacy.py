"""Candidate search is no way around the reporting line.

The probe this guards against: any manager posted a throwaway gig requiring every
competency at level 1 and read every employee of the tenant (their boss and the CEO
included) with exact calibrated levels and the reasons behind their aspirations; closing
the gig left no trace.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
LEVELS = {"craft": 3, "design": 2, "collaboration": 3, "ownership": 1}


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


async def test_a_throwaway_gig_finds_only_those_who_may_be_found(
    svc: RunningService, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    # CEO -> HM -> A, B; CEO -> OM -> X (open, shares), Y (open, does not share), Z (closed).
    people = ["CEO", "HM", "A", "B", "OM", "X", "Y", "Z"]
    await emit(
        framework(),
        hired("CEO", "eng.lead", None),
        hired("HM", "eng.lead", "CEO"),
        hired("A", "eng.engineer", "HM"),
        hired("B", "eng.engineer", "HM"),
        hired("OM", "eng.lead", "CEO", dept="D2"),
        *[hired(e, "eng.engineer", "OM", dept="D2") for e in ("X", "Y", "Z")],
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
    hm, hr = auth(tenant, "HM", "manager"), auth(tenant, "HR", "hr_admin")
    for who, body in (
        ("X", {"open_to_approach": True, "share_aspirations": True, "open_to_projects": True}),
        ("Y", {"open_to_approach": True, "open_to_projects": True}),
        ("Z", {"open_to_projects": True}),
    ):
        resp = await c.put(f"/v1/employees/{who}/aspirations", json=body, headers=auth(tenant, who))
        assert resp.status_code == 200, resp.text
        assert resp.json()["open_to_approach"] is body.get("open_to_approach", False)

    gig = await c.post(
        "/v1/opportunities",
        json={
            "kind": "gig",
            "title": "Anything",
            "required": dict.fromkeys(LEVELS, 1),
            "time_share": 10,
            "duration_weeks": 1,
        },
        headers=hm,
    )
    assert gig.status_code == 201, gig.text
    gid = gig.json()["opportunity_id"]

    ranked = (await c.get(f"/v1/opportunities/{gid}/candidates?limit=500", headers=hm)).json()
    found: dict[str, dict[str, Any]] = {x["employee_id"]: x for x in ranked}
    # The line (A, B) in full; X and Y, open to approach, as a summary; not Z, OM or the CEO.
    assert set(found) == {"A", "B", "X", "Y"}
    for mine in ("A", "B"):
        assert found[mine]["detail"] == "full"
        assert found[mine]["score"] is not None
        assert {k["competency_id"]: k["level"] for k in found[mine]["competencies"]} == LEVELS
    for outside in ("X", "Y"):
        assert found[outside]["detail"] == "summary"
        assert found[outside]["score"] is None
        assert found[outside]["fit"] is None
        for k in found[outside]["competencies"]:
            assert k["level"] is None
            assert k["credit"] is None
            assert k["missing"] is None
            assert k["meets"] is True
        assert found[outside]["readiness"] == 1.0
    assert found["X"]["aspiration_reason"] == "open to projects"  # X shares
    assert found["Y"]["aspiration_reason"] == "not shared"
    assert found["Y"]["aspiration"] is None
    # Y's unshared aspiration does not rank Y either: X and Y otherwise equal, X above Y
    # only through the shared aspiration.
    order = [x["employee_id"] for x in ranked]
    assert order.index("X") < order.index("Y")

    # Applying makes Z findable for this opportunity, still as a summary.
    assert (
        await c.post(f"/v1/opportunities/{gid}/applications", headers=auth(tenant, "Z"))
    ).status_code == 201
    again = (await c.get(f"/v1/opportunities/{gid}/candidates", headers=hm)).json()
    z = next(x for x in again if x["employee_id"] == "Z")
    assert z["detail"] == "summary"
    assert z["application"] == "submitted"
    assert z["aspiration_reason"] == "not shared"

    # HR finds everyone, in full (HR may read every person of the tenant).
    everyone = (await c.get(f"/v1/opportunities/{gid}/candidates?limit=500", headers=hr)).json()
    assert {x["employee_id"] for x in everyone} == set(people) - {"HM"}
    assert all(x["detail"] == "full" for x in everyone)

    # Closing the gig does not erase who searched: HR reads every search.
    closed = await c.post(f"/v1/opportunities/{gid}/close", headers=hm)
    assert closed.status_code == 200, closed.text
    log = (await c.get(f"/v1/candidate-searches?opportunity_id={gid}", headers=hr)).json()
    assert [(s["searched_by"], s["shown"], s["shown_in_full"]) for s in log] == [
        ("HR", 7, 7),
        ("HM", 5, 2),
        ("HM", 4, 2),
    ]
    by_hm = (await c.get("/v1/candidate-searches?searched_by=HM", headers=hr)).json()
    assert len(by_hm) == 2
    # The log is HR's: a manager or an employee gets 403, another tenant's HR only its own.
    for asker in (hm, auth(tenant, "X")):
        forbidden = await c.get("/v1/candidate-searches", headers=asker)
        assert forbidden.status_code == 403
        assert forbidden.headers["content-type"].startswith("application/problem+json")
    elsewhere = await c.get("/v1/candidate-searches", headers=auth(f"{tenant}x", "HR", "hr_admin"))
    assert elsewhere.json() == []
    for bad in ("limit=0", "limit=501", "limit=1e3", "searched_by=%00"):
        refused = await c.get(f"/v1/candidate-searches?{bad}", headers=hr)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
