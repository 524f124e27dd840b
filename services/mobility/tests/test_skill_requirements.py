"""Opportunities that require skills of the library, on real Kafka and PostgreSQL: the
framework's links say which competencies count for a skill, matching reads a person's
highest level among them, and the posting, its event and its explanation say so."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from careerstream.contracts.events.frameworks import LinkedSkill
from careerstream.contracts.topics import OPPORTUNITY
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

from .test_marketplace_api import _events, _problem

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
S = "http://data.europa.eu/esco/skill/"
PYTHON = S + "7030d79d-8f1d-5578-8f7a-4055625291d0"
SQL = S + "96c0e73a-6b4b-5631-8d1b-36c1495f4cef"
JAVA = S + "3195565d-beef-5208-a946-ec6a3885dbd5"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def linked_framework(version: int = 1, **links: list[str]) -> Any:
    fw = framework(version)
    competencies = [
        c.model_copy(update={"skills": [LinkedSkill(uri=u) for u in links.get(c.id, [])]})
        for c in fw.competencies
    ]
    return fw.model_copy(update={"competencies": competencies})


async def test_a_skill_is_met_through_the_competencies_that_cover_it(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await emit(
        linked_framework(craft=[PYTHON], design=[PYTHON, SQL]),
        hired("HM", "eng.lead", None, dept="D1"),
        hired("A", "eng.engineer", "HM", dept="D1"),
        hired("C", "eng.engineer", "HM", dept="D1"),
        completed(
            "A", "eng.engineer", {"craft": 4, "design": 3, "collaboration": 3, "ownership": 3}
        ),
        completed(
            "C", "eng.engineer", {"craft": 1, "design": 2, "collaboration": 2, "ownership": 1}
        ),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.skill_coverage WHERE tenant_id = $1", tenant, want=2
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND levels <> '{}'",
        tenant,
        want=2,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.employees WHERE tenant_id = $1 AND active",
        tenant,
        want=3,
    )
    hm = auth(tenant, "HM", "manager")
    body = {
        "kind": "gig",
        "title": "Data pipeline clean-up",
        "duration_weeks": 6,
        "required": {"collaboration": 2},
        "required_skills": {PYTHON: 4, SQL: 3},
    }
    async with event_tap(OPPORTUNITY) as tap:
        resp = await c.post("/v1/opportunities", json=body, headers=hm)
        assert resp.status_code == 201, resp.text
        records = await tap.wait_for(1, tenant=tenant)
    opp = resp.json()
    assert opp["required"] == {"collaboration": 2}
    assert opp["required_skills"] == {PYTHON: 4, SQL: 3}
    data = _events(records)[0]["data"]  # valid against the committed schema
    assert data["required"] == [{"competency_id": "collaboration", "level": 2}]
    assert data["required_skills"] == [
        {"skill_uri": PYTHON, "level": 4},
        {"skill_uri": SQL, "level": 3},
    ]
    oid = opp["opportunity_id"]
    read = await c.get(f"/v1/opportunities/{oid}", headers=hm)
    assert read.json()["required_skills"] == {PYTHON: 4, SQL: 3}

    # A: Python from craft (4), SQL from design (3): everything met. C: 2 and 2.
    ranked = (await c.get(f"/v1/opportunities/{oid}/candidates", headers=hm)).json()
    assert [x["employee_id"] for x in ranked] == ["A", "C"]
    assert ranked[0]["readiness"] == 1.0
    low = {k["competency_id"]: k for k in ranked[1]["competencies"]}
    assert low[PYTHON]["level"] == 2
    assert low[PYTHON]["covered_by"] == ["craft", "design"]
    assert low[SQL]["level"] == 2
    assert low[SQL]["missing"] == 1
    mine = (await c.get(f"/v1/opportunities/{oid}/my-match", headers=auth(tenant, "C"))).json()
    assert {k["competency_id"]: k["level"] for k in mine["competencies"]} == {
        "collaboration": 2,
        PYTHON: 2,
        SQL: 2,
    }

    # A skill no competency covers, a URI that is not one, a level off the scale: refused.
    uncovered = await c.post(
        "/v1/opportunities", json={**body, "required_skills": {JAVA: 3}}, headers=hm
    )
    problem = _problem(uncovered, 422)
    assert problem["errors"][0]["field"] == "required_skills"
    assert JAVA in problem["detail"]
    assert _problem(
        await c.post(
            "/v1/opportunities", json={**body, "required_skills": {"python": 3}}, headers=hm
        ),
        422,
    )
    off_scale = await c.post(
        "/v1/opportunities", json={**body, "required_skills": {PYTHON: 7}}, headers=hm
    )
    assert "outside the scale" in _problem(off_scale, 422)["detail"]

    # A new framework version moves Python to 'ownership' alone: the match follows.
    await emit(linked_framework(2, ownership=[PYTHON], design=[SQL]), tenant=tenant)
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.skill_coverage WHERE tenant_id = $1 "
        "AND framework_version = 2",
        tenant,
        want=2,
    )
    ranked = (await c.get(f"/v1/opportunities/{oid}/candidates", headers=hm)).json()
    top = {k["competency_id"]: k for k in ranked[0]["competencies"]}
    assert top[PYTHON]["covered_by"] == ["ownership"]
    assert top[PYTHON]["level"] == 3
