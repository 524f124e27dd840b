"""The assessments service against real Kafka and PostgreSQL: projections, cycles, ratings,
completion, calibration, gaps, the skills matrix, and who may do what, across tenants."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from careerstream.contracts.envelope import decode
from careerstream.contracts.topics import ASSESSMENT, SKILLGAP
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

from .world import (
    auth,
    changed,
    company,
    framework,
    hired,
    in_a_week,
    ratings,
    terminated,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"
ENGINEER = ["collaboration", "craft", "design", "ownership"]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("assessments") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def _company(svc: RunningService, emit: Emit, tenant: str) -> None:
    await emit(*company(), tenant=tenant)
    await wait_until(
        svc, "SELECT count(*) FROM assessments.employees WHERE tenant_id = $1", tenant, want=7
    )
    await wait_until(
        svc, "SELECT count(*) FROM assessments.roles WHERE tenant_id = $1", tenant, want=3
    )


async def _open(c: httpx.AsyncClient, tenant: str, **extra: Any) -> dict[str, Any]:
    resp = await c.post(
        "/v1/cycles",
        json={"name": "2026 H2 review", "deadline": in_a_week(), **extra},
        headers=auth(tenant, "HR", "hr_admin"),
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _assessment_of(c: httpx.AsyncClient, tenant: str, employee: str) -> str:
    rows = (
        await c.get(
            f"/v1/assessments?employee_id={employee}&status=open",
            headers=auth(tenant, "HR", "hr_admin"),
        )
    ).json()
    assert len(rows) == 1, rows
    return str(rows[0]["assessment_id"])


def _problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def test_a_cycle_from_ratings_to_gaps(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    cycle = await _open(c, tenant)
    assert cycle["progress"] == {"open": 6}
    assert cycle["skipped"] == [{"employee_id": "X", "reason": "no role in the HRIS record"}]
    a1 = await _assessment_of(c, tenant, "E1")
    e1, m, d, p, e2 = (auth(tenant, who) for who in ("E1", "M", "D", "P", "E2"))

    # Bad ratings are refused, each problem named, and nothing is saved.
    bad = await c.post(
        f"/v1/assessments/{a1}/submissions",
        json={
            "ratings": [
                {"competency_id": "craft", "level": 9},
                {"competency_id": "leadership", "level": 2},
            ]
        },
        headers=e1,
    )
    messages = [e["message"] for e in _problem(bad, 422)["errors"]]
    assert "ratings[0]: level 9 for 'craft' is outside the scale 1-5" in messages
    assert any("the role does not require 'leadership'" in x for x in messages)
    assert "missing ratings for collaboration, design, ownership" in messages
    assert (
        await svc.scalar(
            "SELECT count(*) FROM assessments.submissions WHERE tenant_id = $1", tenant
        )
        == 0
    )

    # E1 targets the senior role; E1 nominates P as a peer.
    target = await c.put("/v1/employees/E1/target-role", json={"role_id": "eng.senior"}, headers=e1)
    assert target.status_code == 200, target.text
    nominated = await c.post(f"/v1/assessments/{a1}/peers", json={"peer_ids": ["P"]}, headers=e1)
    assert nominated.json() == {"peers": ["P"]}
    unknown_peer = await c.post(
        f"/v1/assessments/{a1}/peers", json={"peer_ids": ["NOBODY"]}, headers=e1
    )
    assert "'NOBODY' is not an active employee" in _problem(unknown_peer, 422)["detail"]

    async with event_tap(ASSESSMENT) as assessments_tap, event_tap(SKILLGAP) as gaps_tap:
        r = await c.post(f"/v1/assessments/{a1}/submissions", json=ratings(3, ENGINEER), headers=e1)
        assert r.json() == {"rater_kind": "self", "completed": False}
        again = await c.post(
            f"/v1/assessments/{a1}/submissions", json=ratings(3, ENGINEER), headers=e1
        )
        assert "already submitted" in _problem(again, 409)["detail"]
        r = await c.post(f"/v1/assessments/{a1}/submissions", json=ratings(4, ENGINEER), headers=p)
        assert r.json()["rater_kind"] == "peer"

        # The peer sees only their own ratings, and not the results.
        seen_by_peer = (await c.get(f"/v1/assessments/{a1}", headers=p)).json()
        assert [s["rater_id"] for s in seen_by_peer["submissions"]] == ["P"]
        assert seen_by_peer["your_part"] == "peer"
        # Someone else's assessment does not exist for a peer or a colleague.
        _problem(
            await c.get(f"/v1/assessments/{await _assessment_of(c, tenant, 'E2')}", headers=p), 404
        )
        _problem(await c.get(f"/v1/assessments/{a1}", headers=e2), 404)
        # The director (indirect manager) reads it but is not a rater.
        assert (await c.get(f"/v1/assessments/{a1}", headers=d)).json()["your_part"] == "manager"
        not_rater = await c.post(
            f"/v1/assessments/{a1}/submissions", json=ratings(2, ENGINEER), headers=d
        )
        assert "not a rater" in _problem(not_rater, 403)["detail"]

        levels = {"craft": 2, "design": 1, "collaboration": 3, "ownership": 2}
        r = await c.post(
            f"/v1/assessments/{a1}/submissions", json=ratings(levels, ENGINEER), headers=m
        )
        assert r.json() == {"rater_kind": "manager", "completed": True}
        submitted = await assessments_tap.wait_for(4, tenant=tenant)
        gap_events = await gaps_tap.wait_for(2, tenant=tenant)

    types = [decode(x.value).type for x in submitted]
    assert types == [
        "careerstream.assessments.assessment.submitted.v1",
        "careerstream.assessments.assessment.submitted.v1",
        "careerstream.assessments.assessment.submitted.v1",
        "careerstream.assessments.assessment.completed.v1",
    ]
    for raw in (*submitted, *gap_events):
        envelope = json.loads(raw.value)
        jsonschema.validate(
            envelope, json.loads((SCHEMAS / f"{envelope['type']}.json").read_text())
        )
    completed = decode(submitted[-1].value).data
    assert {
        lv["competency_id"]: lv["level"] for lv in completed["levels"]
    } == levels  # the manager rule
    assert {r["kind"] for r in completed["raters"]} == {"self", "peer", "manager"}
    by_ref = {decode(g.value).data["reference"]: decode(g.value).data for g in gap_events}
    current = {g["competency_id"]: g["gap"] for g in by_ref["current"]["gaps"]}
    assert current == {"craft": 0, "design": 1, "collaboration": -1, "ownership": 0}
    assert by_ref["current"]["ready"] is False
    target_gaps = {g["competency_id"]: g["gap"] for g in by_ref["target"]["gaps"]}
    assert target_gaps == {"craft": 2, "design": 2, "collaboration": 0, "ownership": 1}
    # readiness against eng.senior (4, 3, 3, 3): (2 + 1 + 3 + 2) / 13
    assert by_ref["target"]["readiness"] == round(8 / 13, 4)

    # The employee sees their results; HR calibrates one level with a reason.
    mine = (await c.get(f"/v1/assessments/{a1}", headers=e1)).json()
    assert mine["status"] == "completed"
    assert [s["rater_id"] for s in mine["submissions"]] == ["E1"]
    assert {r["competency_id"]: r["level"] for r in mine["results"]} == levels
    no_reason = await c.post(
        f"/v1/assessments/{a1}/calibrations",
        json={"competency_id": "design", "level": 2, "reason": " "},
        headers=auth(tenant, "HR", "hr_admin"),
    )
    _problem(no_reason, 422)
    _problem(
        await c.post(
            f"/v1/assessments/{a1}/calibrations",
            json={"competency_id": "design", "level": 2, "reason": "x"},
            headers=m,
        ),
        403,
    )
    calibrated = await c.post(
        f"/v1/assessments/{a1}/calibrations",
        json={
            "competency_id": "design",
            "level": 2,
            "reason": "calibration panel: shipped the design doc",
        },
        headers=auth(tenant, "HR", "hr_admin"),
    )
    design = next(r for r in calibrated.json()["results"] if r["competency_id"] == "design")
    assert design == {
        "competency_id": "design",
        "level": 2,
        "source": "calibrated",
        "reason": "calibration panel: shipped the design doc",
    }
    gaps = (await c.get("/v1/employees/E1/gaps?role_id=eng.lead", headers=e1)).json()
    refs = {a["reference"]: a for a in gaps["analyses"]}
    assert set(refs) == {"current", "target", "asked"}
    assert refs["current"]["ready"] is True  # after calibration: 2, 2, 3, 2 meets 2, 2, 2, 2
    lead = {g["competency_id"]: g for g in refs["asked"]["gaps"]}
    assert lead["leadership"]["current"] == 0  # never assessed

    # The HRIS makes E1 a lead: their gaps against the new role are published at once.
    async with event_tap(SKILLGAP) as gaps_tap:
        await emit(changed("E1", role_id="eng.lead"), tenant=tenant)
        (moved,) = await gaps_tap.expect(
            {"data": {"employee_id": "E1", "role_id": "eng.lead", "reference": "current"}},
            tenant=tenant,
        )
    assert moved["data"]["assessment_id"] == a1
    assert {g["competency_id"]: g["gap"] for g in moved["data"]["gaps"]} == {
        "craft": 1,
        "collaboration": 0,
        "ownership": 1,
        "leadership": 3,
    }


async def test_the_skills_matrix_and_who_reads_it(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    await _open(c, tenant)
    for emp, levels in (("E1", 1), ("E2", 2)):
        aid = await _assessment_of(c, tenant, emp)
        await c.post(
            f"/v1/assessments/{aid}/submissions",
            json=ratings(3, ENGINEER),
            headers=auth(tenant, emp),
        )
        r = await c.post(
            f"/v1/assessments/{aid}/submissions",
            json=ratings(levels, ENGINEER),
            headers=auth(tenant, "M"),
        )
        assert r.json()["completed"] is True
    hr = auth(tenant, "HR", "hr_admin")
    team = (await c.get("/v1/skills-matrix?group_by=team&group_id=M", headers=hr)).json()
    cells = {x["competency_id"]: x for x in team["groups"][0]["competencies"]}
    assert cells["craft"] == {
        "competency_id": "craft",
        "n": 2,
        "distribution": {"1": 1, "2": 1},
        "mean_level": 1.5,
        "mean_gap": 0.5,  # engineers need 2: gaps 1 and 0
        "n_required": 2,
    }
    assert team["largest_gaps"][0]["mean_gap"] == 0.5
    dept = (await c.get("/v1/skills-matrix?group_by=department", headers=hr)).json()
    assert [g["group_id"] for g in dept["groups"]] == ["D1"]
    whole = (await c.get("/v1/skills-matrix?group_by=tenant", headers=hr)).json()
    assert whole["groups"][0]["competencies"][0]["n"] == 2

    # A manager reads their own team and teams below them; nothing wider.
    assert (
        await c.get("/v1/skills-matrix?group_by=team&group_id=M", headers=auth(tenant, "M"))
    ).status_code == 200
    assert (
        await c.get("/v1/skills-matrix?group_by=team&group_id=M", headers=auth(tenant, "D"))
    ).status_code == 200
    _problem(
        await c.get("/v1/skills-matrix?group_by=team&group_id=D", headers=auth(tenant, "M")), 404
    )
    _problem(await c.get("/v1/skills-matrix?group_by=department", headers=auth(tenant, "M")), 403)
    _problem(
        await c.get("/v1/skills-matrix?group_by=team&group_id=M", headers=auth(tenant, "E1")), 404
    )

    # When E2 moves to another department, their levels follow them.
    await emit(changed("E2", department_id="D9"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT count(DISTINCT department_id) FROM assessments.levels WHERE tenant_id = $1",
        tenant,
        want=2,
    )
    # Another tenant sees none of it.
    other = auth(f"{tenant}x", "HR", "hr_admin")
    assert (await c.get("/v1/skills-matrix?group_by=tenant", headers=other)).json()["groups"] == []


async def test_leavers_movers_closing_and_other_tenants(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    cycle = await _open(c, tenant, rule="weighted_mean")
    a1, a2, a3 = [await _assessment_of(c, tenant, e) for e in ("E1", "E2", "E3")]
    hr = auth(tenant, "HR", "hr_admin")

    # E2 leaves: their open assessment is cancelled.
    await emit(terminated("E2"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT status FROM assessments.assessments WHERE assessment_id = $1",
        a2,
        want="cancelled",
    )
    gone = await c.post(
        f"/v1/assessments/{a2}/submissions", json=ratings(2, ENGINEER), headers=auth(tenant, "M")
    )
    assert "cancelled" in _problem(gone, 409)["detail"]

    # E3 gets a new manager: the old one no longer rates (nor sees) them; the new one does.
    await emit(changed("E3", manager_id="D"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT manager_id FROM assessments.employees WHERE tenant_id = $1 AND employee_id = 'E3'",
        tenant,
        want="D",
    )
    senior = ["collaboration", "craft", "design", "ownership"]
    _problem(
        await c.post(
            f"/v1/assessments/{a3}/submissions", json=ratings(3, senior), headers=auth(tenant, "M")
        ),
        404,
    )
    r = await c.post(
        f"/v1/assessments/{a3}/submissions", json=ratings(3, senior), headers=auth(tenant, "D")
    )
    assert r.json()["rater_kind"] == "manager"

    # E1 is promoted before anyone rated: the assessment moves to the new role.
    await emit(changed("E1", role_id="eng.senior"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT role_id FROM assessments.assessments WHERE assessment_id = $1",
        a1,
        want="eng.senior",
    )
    # A late change recorded before the promotion does not undo it.
    from datetime import UTC, datetime, timedelta

    await emit(
        changed("E1", role_id="eng.engineer", recorded_at=datetime.now(UTC) - timedelta(days=30)),
        tenant=tenant,
    )
    await emit(changed("E1", department_id="D3"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT department_id FROM assessments.employees WHERE tenant_id = $1 AND employee_id = 'E1'",
        tenant,
        want="D3",
    )
    assert (
        await svc.scalar(
            "SELECT role_id FROM assessments.employees WHERE tenant_id = $1 AND employee_id = 'E1'",
            tenant,
        )
        == "eng.senior"
    )

    # Self-rating only, then the cycle closes: it completes with what it has (weighted mean).
    await c.post(
        f"/v1/assessments/{a1}/submissions", json=ratings(4, senior), headers=auth(tenant, "E1")
    )
    _problem(await c.post(f"/v1/cycles/{cycle['cycle_id']}/close", headers=auth(tenant, "M")), 403)
    closed = await c.post(f"/v1/cycles/{cycle['cycle_id']}/close", headers=hr)
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["closed"] == {"completed": 2, "expired": 3}  # E1 and E3; nobody rated D, M or P
    assert body["progress"] == {"cancelled": 1, "completed": 2, "expired": 3}
    late = await c.post(
        f"/v1/assessments/{a1}/submissions", json=ratings(3, senior), headers=auth(tenant, "M")
    )
    assert "closed" in _problem(late, 409)["detail"]
    _problem(await c.post(f"/v1/cycles/{cycle['cycle_id']}/close", headers=hr), 409)

    # Another tenant: nothing exists.
    other = auth(f"{tenant}x", "HR", "hr_admin")
    _problem(await c.get(f"/v1/assessments/{a1}", headers=other), 404)
    _problem(await c.get(f"/v1/cycles/{cycle['cycle_id']}", headers=other), 404)
    assert (await c.get("/v1/assessments", headers=other)).json() == []
    _problem(await c.get("/v1/employees/E1/gaps", headers=other), 404)


async def test_projections_ignore_late_framework_versions(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    await emit(
        framework(version=2, senior_craft=5),
        framework(version=1, senior_craft=4),
        tenant=tenant,
        source="frameworks",
    )
    await wait_until(
        svc, "SELECT version FROM assessments.frameworks WHERE tenant_id = $1", tenant, want=2
    )
    await emit(framework(version=3, senior_craft=3), tenant=tenant, source="frameworks")
    await wait_until(
        svc, "SELECT version FROM assessments.frameworks WHERE tenant_id = $1", tenant, want=3
    )
    craft = await svc.scalar(
        "SELECT requirements ->> 'craft' FROM assessments.roles WHERE tenant_id = $1 AND role_id = 'eng.senior'",
        tenant,
    )
    assert craft == "3"


async def test_authentication_and_roles(svc: RunningService, tenant: str) -> None:
    c = svc.client
    _problem(await c.get("/v1/cycles"), 401)
    _problem(
        await c.post(
            "/v1/cycles",
            json={"name": "x", "deadline": in_a_week()},
            headers=auth(tenant, "M", "manager"),
        ),
        403,
    )
    past = await c.post(
        "/v1/cycles",
        json={"name": "x", "deadline": "2020-01-01T00:00:00Z"},
        headers=auth(tenant, "HR", "hr_admin"),
    )
    assert "in the past" in _problem(past, 422)["detail"]
    no_ids = await c.post(
        "/v1/cycles",
        json={"name": "x", "deadline": in_a_week(), "population": {"kind": "department"}},
        headers=auth(tenant, "HR", "hr_admin"),
    )
    assert "name at least one department" in _problem(no_ids, 422)["detail"]


async def test_people_who_enter_an_open_cycles_population_join_it(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    everyone = await _open(c, tenant)
    d2 = await _open(c, tenant, population={"kind": "department", "ids": ["D2"]})
    assert d2["progress"] == {"open": 1}  # E3

    async def in_cycle(cycle_id: str, employee: str) -> None:
        await wait_until(
            svc,
            "SELECT count(*) FROM assessments.assessments "
            "WHERE tenant_id = $1 AND cycle_id = $2 AND employee_id = $3",
            tenant,
            cycle_id,
            employee,
            want=1,
        )

    # N is hired into D2 after both opened: N joins both; Y, hired without a role, joins neither.
    await emit(hired("N", "eng.engineer", "M", dept="D2"), hired("Y", None, "M"), tenant=tenant)
    await in_cycle(everyone["cycle_id"], "N")
    await in_cycle(d2["cycle_id"], "N")
    # E1 moves into D2: joins the D2 cycle, keeps their one assessment in the other.
    await emit(changed("E1", department_id="D2"), tenant=tenant)
    await in_cycle(d2["cycle_id"], "E1")
    await wait_until(
        svc,
        "SELECT count(*) FROM assessments.employees WHERE tenant_id = $1 AND employee_id = 'Y'",
        tenant,
        want=1,
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM assessments.assessments WHERE tenant_id = $1 AND employee_id = 'Y'",
            tenant,
        )
        == 0
    )
    assert (
        await svc.scalar(
            "SELECT count(*) FROM assessments.assessments "
            "WHERE tenant_id = $1 AND cycle_id = $2 AND employee_id = 'E1'",
            tenant,
            everyone["cycle_id"],
        )
        == 1
    )
    progress = (
        await c.get(f"/v1/cycles/{d2['cycle_id']}", headers=auth(tenant, "HR", "hr_admin"))
    ).json()
    assert progress["progress"] == {"open": 3}  # E3, N, E1
