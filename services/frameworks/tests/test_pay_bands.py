"""Pay bands: HR sets them per level and location; employees see their own and next levels'
only when the company allows it; a band never travels in an event or an export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.topics import FRAMEWORK
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService
from careerstream.servicekit.auth import AuthSettings, mint_token

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
BANDS = "/v1/frameworks/eng/pay-bands"


def auth(tenant: str, subject: str, *roles: str) -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject=subject, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def hire(emp: str, role: str, location: str) -> EmployeeHired:
    return EmployeeHired(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        details=EmploymentDetails(role_id=role, manager_id="M", location=location),
    )


def band(
    low: int, mid: int, high: int, location: str = "*", currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "location": location,
        "currency": currency,
        "minimum": low,
        "midpoint": mid,
        "maximum": high,
    }


async def test_bands_for_hr_and_for_employees_when_allowed(
    svc: RunningService, tenant: str, emit: Emit, event_tap: EventTapFactory
) -> None:
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    made = await c.post(
        "/v1/frameworks/from-template",
        json={"template_id": "engineering", "framework_id": "eng"},
        headers=hr,
    )
    assert made.status_code == 201, made.text
    assert (await c.post("/v1/frameworks/eng/versions/1/publish", headers=hr)).status_code == 200
    await emit(
        hire("E1", "engineering.software-engineer", "Berlin"),
        hire("E2", "engineering.software-engineer", "Paris"),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM frameworks.employees WHERE tenant_id = $1", tenant, want=2
    )

    se = f"{BANDS}/engineering/software-engineer"
    for path, body in (
        (se, band(50_000, 60_000, 70_000)),
        (se, band(55_000, 65_000, 75_000, "Berlin")),
        (f"{BANDS}/engineering/senior-engineer", band(70_000, 85_000, 100_000)),
        (f"{BANDS}/engineering/team-lead", band(75_000, 90_000, 105_000)),
        (f"{BANDS}/engineering/staff-engineer", band(95_000, 115_000, 135_000)),
    ):
        r = await c.put(path, json=body, headers=hr)
        assert r.status_code == 200, r.text
    assert r.json()["updated_by"] == "HR"

    # Bad bands are refused, each problem naming its field; only HR sets them.
    upside = problem(await c.put(se, json=band(60_000, 50_000, 70_000), headers=hr), 422)
    assert "midpoint: 50000" in json.dumps(upside)
    assert "currency" in json.dumps(
        problem(await c.put(se, json=band(1, 2, 3, currency="eur"), headers=hr), 422)
    )
    assert "level_id: 'wizard'" in json.dumps(
        problem(await c.put(f"{BANDS}/engineering/wizard", json=band(1, 2, 3), headers=hr), 422)
    )
    problem(
        await c.put(
            "/v1/frameworks/nope/pay-bands/engineering/software-engineer",
            json=band(1, 2, 3),
            headers=hr,
        ),
        404,
    )
    problem(await c.put(se, json={**band(1, 2, 3), "bonus": 5}, headers=hr), 422)
    problem(await c.put(se, json=band(1, 2, 3), headers=auth(tenant, "E1", "employee")), 403)
    problem(await c.get(BANDS, headers=auth(tenant, "M", "manager")), 403)
    assert len((await c.get(BANDS, headers=hr)).json()) == 5
    problem(await c.get(BANDS, headers=auth(f"{tenant}x", "HR", "hr_admin")), 404)

    # Employees see nothing until HR allows it.
    e1, e2 = auth(tenant, "E1", "employee"), auth(tenant, "E2", "employee")
    assert "HR only" in problem(await c.get("/v1/me/pay-bands", headers=e1), 403)["detail"]
    problem(await c.put("/v1/pay-settings", json={"employees_see_bands": True}, headers=e1), 403)
    allowed = await c.put("/v1/pay-settings", json={"employees_see_bands": True}, headers=hr)
    assert allowed.json() == {"employees_see_bands": True}

    mine = (await c.get("/v1/me/pay-bands", headers=e1)).json()
    seen = {lv["level_id"]: lv for lv in mine["levels"]}
    # Their own level (at Berlin) and the next rank on their tracks: senior and team lead.
    assert set(seen) == {"software-engineer", "senior-engineer", "team-lead"}
    assert seen["software-engineer"]["yours"] is True
    assert seen["software-engineer"]["band"]["location"] == "Berlin"
    assert seen["software-engineer"]["band"]["midpoint"] == 65_000
    paris = {
        lv["level_id"]: lv for lv in (await c.get("/v1/me/pay-bands", headers=e2)).json()["levels"]
    }
    assert paris["software-engineer"]["band"]["location"] == "*"  # no Paris band: the default
    problem(await c.get("/v1/me/pay-bands", headers=auth(tenant, "NOBODY", "employee")), 404)

    # A band never travels: a new version published after setting bands carries none, and
    # neither does the framework's export.
    async with event_tap(FRAMEWORK) as tap:
        assert (await c.post("/v1/frameworks/eng/drafts", headers=hr)).status_code == 201
        assert (
            await c.post("/v1/frameworks/eng/versions/2/publish", headers=hr)
        ).status_code == 200
        (published,) = await tap.expect(
            {"type": "careerstream.frameworks.framework.published.v1", "data": {"version": 2}},
            tenant=tenant,
        )
    assert "65000" not in json.dumps(published)
    assert "midpoint" not in json.dumps(published)
    export = await c.get("/v1/frameworks/eng/versions/2/export?format=json", headers=hr)
    assert "midpoint" not in export.text

    assert (await c.delete(f"{se}?location=Berlin", headers=hr)).status_code == 204
    problem(await c.delete(f"{se}?location=Berlin", headers=hr), 404)
