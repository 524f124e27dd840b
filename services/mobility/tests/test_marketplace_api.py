"""The mobility service against real Kafka and PostgreSQL: posting, matching with explanations,
applications, shortlists, fills, and who may see what, across tenants."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from careerstream.contracts.topics import APPLICATION, OPPORTUNITY
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import (
    auth,
    changed,
    completed,
    framework,
    hired,
    terminated,
    wait_until,
)
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def _events(records: list[Any]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        envelope = json.loads(r.value)
        jsonschema.validate(
            envelope, json.loads((SCHEMAS / f"{envelope['type']}.json").read_text())
        )
        out.append(envelope)
    return out


async def _company(svc: RunningService, emit: Emit, tenant: str) -> None:
    await emit(
        framework(),
        hired("HM", "eng.lead", None, dept="D1"),
        hired("A", "eng.engineer", "HM", dept="D1", groups={"gender": "f"}),
        hired("B", "eng.engineer", "HM", dept="D1", groups={"gender": "m"}),
        hired("C", "eng.engineer", "HM", dept="D2"),
        hired("S", "eng.senior", "HM", dept="D1"),
        completed(
            "A", "eng.engineer", {"craft": 4, "design": 3, "collaboration": 3, "ownership": 3}
        ),
        completed(
            "B", "eng.engineer", {"craft": 4, "design": 3, "collaboration": 3, "ownership": 3}
        ),
        completed(
            "C", "eng.engineer", {"craft": 1, "design": 1, "collaboration": 2, "ownership": 1}
        ),
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND levels <> '{}'",
        tenant,
        want=3,
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.roles WHERE tenant_id = $1", tenant, want=3
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.employees WHERE tenant_id = $1 AND active",
        tenant,
        want=5,
    )


async def _post(c: httpx.AsyncClient, tenant: str, **body: Any) -> dict[str, Any]:
    resp = await c.post("/v1/opportunities", json=body, headers=auth(tenant, "HM", "manager"))
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out


async def test_post_match_apply_shortlist_select(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    hm, a, b, cc = (auth(tenant, w) for w in ("HM", "A", "B", "C"))
    async with event_tap(OPPORTUNITY) as opp_tap, event_tap(APPLICATION) as app_tap:
        opp = await _post(
            c, tenant, kind="role", title="Senior Engineer, payments", role_id="eng.senior"
        )
        assert opp["required"] == {
            "collaboration": 3,
            "craft": 4,
            "design": 3,
            "ownership": 3,
        }  # from the role
        oid = opp["opportunity_id"]

        # Candidates: ranked by competency fit, explained; equal profiles score equally whatever their group.
        ranked = (await c.get(f"/v1/opportunities/{oid}/candidates", headers=hm)).json()
        assert [x["employee_id"] for x in ranked[:2]] == ["A", "B"]
        assert ranked[0]["score"] == ranked[1]["score"]
        assert ranked[0]["move_kind"] == "promotion"
        assert "S" not in {x["employee_id"] for x in ranked}  # already in the role
        low = next(x for x in ranked if x["employee_id"] == "C")
        assert {k["competency_id"]: k["missing"] for k in low["competencies"]} == {
            "collaboration": 1,
            "craft": 3,
            "design": 2,
            "ownership": 2,
        }
        # No employee sees candidates or anyone else's score.
        _problem(await c.get(f"/v1/opportunities/{oid}/candidates", headers=a), 403)
        mine = (await c.get(f"/v1/opportunities/{oid}/my-match", headers=cc)).json()
        assert mine["employee_id"] == "C"
        recs = (await c.get("/v1/me/recommendations", headers=a)).json()
        assert recs[0]["opportunity"]["opportunity_id"] == oid
        assert recs[0]["match"]["employee_id"] == "A"

        # Applications: twice is refused; withdrawn ones are not passed over.
        app_a = (await c.post(f"/v1/opportunities/{oid}/applications", headers=a)).json()[
            "application_id"
        ]
        again = await c.post(f"/v1/opportunities/{oid}/applications", headers=a)
        assert "already applied" in _problem(again, 409)["detail"]
        app_b = (await c.post(f"/v1/opportunities/{oid}/applications", headers=b)).json()[
            "application_id"
        ]
        app_c = (await c.post(f"/v1/opportunities/{oid}/applications", headers=cc)).json()[
            "application_id"
        ]
        assert (await c.post(f"/v1/applications/{app_c}/withdraw", headers=cc)).status_code == 200
        _problem(await c.post(f"/v1/applications/{app_b}/withdraw", headers=a), 404)  # not hers
        # Not hers, and to an opportunity she does not run: it does not exist for her.
        _problem(await c.post(f"/v1/applications/{app_b}/shortlist", headers=a), 404)
        assert (await c.post(f"/v1/applications/{app_b}/shortlist", headers=hm)).status_code == 200
        assert [x["employee_id"] for x in (await c.get("/v1/applications", headers=a)).json()] == [
            "A"
        ]
        assert len((await c.get(f"/v1/applications?opportunity_id={oid}", headers=hm)).json()) == 3

        # Selecting someone who did not apply (or withdrew) is refused; nothing changes.
        nobody = await c.post(
            f"/v1/opportunities/{oid}/select", json={"application_id": "app-nope"}, headers=hm
        )
        assert "select someone who applied" in _problem(nobody, 422)["detail"]
        withdrawn = await c.post(
            f"/v1/opportunities/{oid}/select", json={"application_id": app_c}, headers=hm
        )
        _problem(withdrawn, 409)
        filled = await c.post(
            f"/v1/opportunities/{oid}/select", json={"application_id": app_a}, headers=hm
        )
        assert filled.status_code == 200, filled.text
        body = filled.json()
        assert body["internal"] is True
        assert body["employee_id"] == "A"
        assert body["from_role_id"] == "eng.engineer"
        assert body["to_role_id"] == "eng.senior"
        assert body["move_kind"] == "promotion"
        assert body["passed_over"] == [{"employee_id": "B", "stage": "shortlisted"}]
        closed = await c.post(f"/v1/opportunities/{oid}/applications", headers=cc)
        assert "filled" in _problem(closed, 409)["detail"]

        opp_events = _events(await opp_tap.wait_for(2, tenant=tenant))
        app_events = _events(await app_tap.wait_for(5, tenant=tenant))
    assert [e["type"].split(".")[2:4] for e in opp_events] == [
        ["opportunity", "posted"],
        ["role", "filled"],
    ]
    # Keyed by application: order holds per application, not across them.
    assert sorted(e["type"].split(".")[3] for e in app_events) == [
        "shortlisted",
        "submitted",
        "submitted",
        "submitted",
        "withdrawn",
    ]


async def test_gigs_visibility_external_fills_and_closing(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    hm, a, cc, hr = (
        auth(tenant, "HM"),
        auth(tenant, "A"),
        auth(tenant, "C"),
        auth(tenant, "HR", "hr_admin"),
    )
    # Bad postings: every problem named.
    bad = await c.post(
        "/v1/opportunities",
        json={
            "kind": "gig",
            "title": "x",
            "required": {"telepathy": 2, "craft": 9},
            "visibility": "department",
            "time_share": 20,
        },
        headers=auth(tenant, "HM", "manager"),
    )
    messages = [e["message"] for e in _problem(bad, 422)["errors"]]
    assert "required.telepathy: not a competency of any published role" in messages
    assert "required.craft: level 9 is outside the scale 1-5" in messages
    assert "department_id: a department-only opportunity names its department" in messages
    assert "duration_weeks: a project or gig says how long it lasts" in messages
    _problem(
        await c.post(
            "/v1/opportunities",
            json={"kind": "gig", "title": "x", "required": {"craft": 2}, "duration_weeks": 4},
            headers=a,
        ),
        403,
    )

    gig = await _post(
        c,
        tenant,
        kind="gig",
        title="20% data gig",
        required={"craft": 2},
        duration_weeks=6,
        time_share=20,
        visibility="department",
        department_id="D1",
    )
    gid = gig["opportunity_id"]
    assert {o["opportunity_id"] for o in (await c.get("/v1/opportunities", headers=a)).json()} == {
        gid
    }
    assert (await c.get("/v1/opportunities", headers=cc)).json() == []  # D2 does not see it
    _problem(await c.get(f"/v1/opportunities/{gid}", headers=cc), 404)
    _problem(await c.post(f"/v1/opportunities/{gid}/applications", headers=cc), 404)

    # Aspirations lift a match; only the person (or HR) sets them.
    before = (await c.get(f"/v1/opportunities/{gid}/my-match", headers=a)).json()["score"]
    put = await c.put("/v1/employees/A/aspirations", json={"open_to_projects": True}, headers=a)
    assert put.status_code == 200, put.text
    after = (await c.get(f"/v1/opportunities/{gid}/my-match", headers=a)).json()
    assert after["aspiration_reason"] == "open to projects"
    assert after["score"] == round(before + 0.15 * 0.5, 4)
    _problem(await c.put("/v1/employees/A/aspirations", json={}, headers=cc), 404)
    bad_target = await c.put(
        "/v1/employees/A/aspirations", json={"target_role_ids": ["ceo"]}, headers=a
    )
    assert "'ceo' is not a role" in _problem(bad_target, 422)["detail"]
    ranked = (await c.get(f"/v1/opportunities/{gid}/candidates", headers=hm)).json()
    assert ranked[0]["employee_id"] == "A"

    # An external hire passes over the internal applicants.
    await c.post(f"/v1/opportunities/{gid}/applications", headers=a)
    ext = (await c.post(f"/v1/opportunities/{gid}/fill-external", headers=hr)).json()
    assert ext["internal"] is False
    assert ext["employee_id"] is None
    assert ext["passed_over"] == [{"employee_id": "A", "stage": "applied"}]

    # Closing without a fill; closing twice is refused.
    role = await _post(c, tenant, kind="role", title="Lead", role_id="eng.lead")
    rid = role["opportunity_id"]
    assert (
        await c.post(f"/v1/opportunities/{rid}/close", json={"reason": "budget"}, headers=hm)
    ).status_code == 200
    _problem(await c.post(f"/v1/opportunities/{rid}/close", headers=hm), 409)

    # A leaver drops out of the candidates.
    await emit(terminated("B"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT active FROM mobility.profiles WHERE tenant_id = $1 AND employee_id = 'B'",
        tenant,
        want=False,
    )
    role2 = await _post(c, tenant, kind="role", title="Senior again", role_id="eng.senior")
    names = {
        x["employee_id"]
        for x in (
            await c.get(f"/v1/opportunities/{role2['opportunity_id']}/candidates", headers=hm)
        ).json()
    }
    assert "B" not in names
    assert "A" in names

    # Another tenant sees nothing.
    other = auth(f"{tenant}x", "HR", "hr_admin")
    _problem(await c.get(f"/v1/opportunities/{rid}", headers=other), 404)
    assert (await c.get("/v1/opportunities?status=closed", headers=other)).json() == []
    _problem(await c.get(f"/v1/opportunities/{rid}/candidates", headers=other), 404)


async def test_an_onsite_opportunity_ranks_those_who_would_have_to_move_at_half(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    """The location factor on real data: places come from the HRIS, willingness from the
    person's aspirations, and either changing re-ranks at once."""
    c = svc.client
    await _company(svc, emit, tenant)
    await emit(changed("A", location="Lisbon"), changed("B", location="Porto"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND location IS NOT NULL",
        tenant,
        want=2,
    )
    hm, b = auth(tenant, "HM", "manager"), auth(tenant, "B")
    oid = (
        await _post(
            c, tenant, kind="role", title="Senior Engineer", role_id="eng.senior", location="lisbon"
        )
    )["opportunity_id"]

    async def ranked() -> dict[str, dict[str, Any]]:
        resp = await c.get(f"/v1/opportunities/{oid}/candidates", headers=hm)
        assert resp.status_code == 200, resp.text
        return {x["employee_id"]: x for x in resp.json()}

    first = await ranked()
    a_, b_ = first["A"], first["B"]  # the same levels, so the same four terms
    assert (a_["location"], a_["location_reason"]) == (1.0, "works there")
    assert (b_["location"], b_["location_reason"]) == (
        0.5,
        "works elsewhere and has not said they would relocate",
    )
    assert b_["score"] == round(a_["score"] * 0.5, 4)
    assert first["C"]["location_reason"] == "location unknown"  # no place from the HRIS
    mine = (await c.get(f"/v1/opportunities/{oid}/my-match", headers=b)).json()
    assert (mine["score"], mine["location"]) == (b_["score"], 0.5)

    # B says she would relocate: the factor goes, for the hiring manager and for her.
    said = await c.put(
        "/v1/employees/B/aspirations",
        json={"target_role_ids": [], "target_family_ids": [], "willing_to_relocate": True},
        headers=b,
    )
    assert said.status_code in (200, 204), said.text
    assert (await ranked())["B"]["score"] == a_["score"]
    assert (await ranked())["B"]["location_reason"] == "willing to relocate"

    # Remote work needs no move; nor does an opportunity that names no place.
    remote = await _post(
        c,
        tenant,
        kind="gig",
        title="Payments review",
        required={"craft": 3},
        time_share=20,
        duration_weeks=6,
        location="Lisbon",
        remote=True,
    )
    got = (
        await c.get(f"/v1/opportunities/{remote['opportunity_id']}/candidates", headers=hm)
    ).json()
    assert {x["location_reason"] for x in got} == {"remote"}

    # The HRIS moves B to Lisbon; she no longer needs to be willing.
    await c.put(
        "/v1/employees/B/aspirations",
        json={"target_role_ids": [], "target_family_ids": []},
        headers=b,
    )
    await emit(changed("B", location="LISBON"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND employee_id = 'B'"
        " AND location = 'LISBON'",
        tenant,
        want=1,
    )
    again = (await ranked())["B"]
    assert (again["score"], again["location_reason"]) == (a_["score"], "works there")
