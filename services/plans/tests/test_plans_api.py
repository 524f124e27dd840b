"""The plans service against real Kafka and PostgreSQL: plans from gaps, approval, progress,
check-ins, rebasing, moves and leavers, conversations and guides, and who may do what."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from careerstream.contracts.events.mobility import MoveKind, RoleFilled
from careerstream.contracts.topics import CONVERSATION, PLAN
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, gaps, hired, terminated, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("plans") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def _company(svc: RunningService, emit: Emit, tenant: str) -> None:
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("E1", "eng.engineer", "M"),
        hired("E2", "eng.engineer", "M"),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=4
    )
    await wait_until(svc, "SELECT count(*) FROM plans.roles WHERE tenant_id = $1", tenant, want=3)


async def _plan_of(svc: RunningService, tenant: str, employee: str, status: str = "draft") -> str:
    await wait_until(
        svc,
        "SELECT count(*) FROM plans.plans WHERE tenant_id = $1 AND employee_id = $2 AND status = $3",
        tenant,
        employee,
        status,
        want=1,
    )
    plan_id: str = await svc.scalar(
        "SELECT plan_id FROM plans.plans WHERE tenant_id = $1 AND employee_id = $2 AND status = $3",
        tenant,
        employee,
        status,
    )
    return plan_id


def _validate(records: list[Any]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        envelope = json.loads(r.value)
        jsonschema.validate(
            envelope, json.loads((SCHEMAS / f"{envelope['type']}.json").read_text())
        )
        out.append(envelope)
    return out


async def test_from_gaps_to_a_completed_plan(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    e1, m, d, e2 = (auth(tenant, who) for who in ("E1", "M", "D", "E2"))
    hr = auth(tenant, "HR", "hr_admin")
    async with event_tap(PLAN) as tap:
        await emit(
            gaps(
                "E1", "eng.engineer", {"craft": (1, 2), "design": (1, 2), "collaboration": (3, 2)}
            ),
            tenant=tenant,
            source="assessments",
        )
        plan_id = await _plan_of(svc, tenant, "E1")
        events = _validate(await tap.wait_for(3, tenant=tenant))
    assert [e["type"].split(".")[3] for e in events] == ["created", "added", "added"], [
        (e["type"], e["data"]) for e in events
    ]
    plan = (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()
    assert plan["status"] == "draft"
    goals = {g["competency_id"]: g for g in plan["goals"]}
    assert set(goals) == {"craft", "design"}  # collaboration is met
    assert goals["craft"]["from_level"] == 1
    assert goals["craft"]["to_level"] == 2
    assert len(goals["craft"]["actions"]) == 2  # the top suggestions, owned by E1
    assert goals["craft"]["actions"][0]["owner_id"] == "E1"
    assert (
        goals["craft"]["actions"][0]["kind"] == "stretch_assignment"
    )  # a gap of 1: practice first

    # The employee cannot approve their own plan; a colleague cannot see it; the manager approves.
    _problem(await c.post(f"/v1/plans/{plan_id}/approve", headers=e1), 403)
    _problem(await c.get(f"/v1/plans/{plan_id}", headers=e2), 404)
    approved = await c.post(f"/v1/plans/{plan_id}/approve", headers=m)
    assert approved.json()["status"] == "active"
    assert (await c.get(f"/v1/plans/{plan_id}", headers=d)).json()["your_part"] == "manager"

    # Bad input: a clear 4xx and nothing saved.
    bad = await c.post(
        f"/v1/plans/{plan_id}/goals",
        json={"competency_id": "telepathy", "to_level": 3, "target_date": "2020-01-01"},
        headers=e1,
    )
    messages = [x["message"] for x in _problem(bad, 422)["errors"]]
    assert "competency_id: 'telepathy' is not a competency of any published framework" in messages
    assert "target_date: 2020-01-01 is in the past" in messages
    dup = await c.post(
        f"/v1/plans/{plan_id}/goals", json={"competency_id": "craft", "to_level": 3}, headers=e1
    )
    assert "already has an open goal for 'craft'" in _problem(dup, 409)["detail"]
    assert await svc.scalar("SELECT count(*) FROM plans.goals WHERE plan_id = $1", plan_id) == 2

    # Actions are the employee's and their managers' to update; HR reads plans, never edits them.
    action = goals["craft"]["actions"][0]["action_id"]
    status = f"/v1/actions/{action}/status"
    _problem(await c.post(status, json={"status": "done"}, headers=hr), 403)
    _problem(await c.post(status, json={"status": "done"}, headers=e2), 404)
    assert (await c.post(status, json={"status": "in_progress"}, headers=e1)).status_code == 200
    assert (await c.post(status, json={"status": "done"}, headers=d)).status_code == 200
    kept = (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()
    assert [
        a["status"] for g in kept["goals"] for a in g["actions"] if a["action_id"] == action
    ] == ["done"]

    # Progress (employee), a check-in (manager), goals close, the plan completes.
    craft, design = goals["craft"]["goal_id"], goals["design"]["goal_id"]
    assert (
        await c.post(f"/v1/goals/{craft}/progress", json={"progress": 50}, headers=e1)
    ).status_code == 200
    _problem(await c.post(f"/v1/goals/{craft}/progress", json={"progress": 60}, headers=m), 403)
    rolled = (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()
    assert (rolled["progress"], rolled["goals_open"]) == (25, 2)  # (50 + 0) / 2 open goals
    _problem(await c.post(f"/v1/goals/{craft}/progress", json={"progress": 160}, headers=e1), 422)
    checkin = await c.post(
        f"/v1/plans/{plan_id}/checkins",
        json={"notes": "good start on the design doc", "progress_rating": 4},
        headers=m,
    )
    assert checkin.status_code == 201, checkin.text
    _problem(
        await c.post(
            f"/v1/plans/{plan_id}/checkins", json={"notes": "x", "progress_rating": 4}, headers=e1
        ),
        403,
    )
    assert (
        await c.post(f"/v1/goals/{craft}/complete", json={"outcome": "achieved"}, headers=e1)
    ).json()["plan_completed"] is False
    again = await c.post(f"/v1/goals/{craft}/progress", json={"progress": 100}, headers=e1)
    assert "is achieved" in _problem(again, 409)["detail"]
    async with event_tap(PLAN) as tap:
        done = await c.post(f"/v1/goals/{design}/complete", json={"outcome": "dropped"}, headers=m)
        assert done.json()["plan_completed"] is True
        # Identified by what they are: an earlier step's event may still be in flight.
        goal_done, completed = await tap.expect(
            {"type": "careerstream.plans.goal.completed.v1", "data": {"goal_id": design}},
            {"type": "careerstream.plans.plan.completed.v1", "data": {"plan_id": plan_id}},
            tenant=tenant,
        )
        jsonschema.validate(
            completed, json.loads((SCHEMAS / f"{completed['type']}.json").read_text())
        )
    assert goal_done["data"]["outcome"] == "dropped"
    assert completed["data"]["goals_total"] == 2
    assert completed["data"]["goals_achieved"] == 1

    # HR reads plans and figures, never the notes.
    seen_by_hr = (await c.get(f"/v1/plans/{plan_id}", headers=hr)).json()
    assert seen_by_hr["checkins"][0]["notes"] is None
    assert (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()["checkins"][0][
        "notes"
    ] == "good start on the design doc"
    figures = (await c.get("/v1/plans/summary", headers=hr)).json()
    assert figures["plans"] == {"completed": 1}
    assert figures["plan_completion_rate"] == 1.0
    assert figures["goal_achievement_rate"] == 0.5
    _problem(await c.get("/v1/plans/summary", headers=m), 403)


async def test_rebase_suggest_mode_moves_and_leavers(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    e1, m = auth(tenant, "E1"), auth(tenant, "M")
    await emit(
        gaps("E1", "eng.engineer", {"craft": (1, 2), "design": (1, 2)}),
        tenant=tenant,
        source="assessments",
    )
    plan_id = await _plan_of(svc, tenant, "E1")
    # A new assessment: craft is met now, design needs more (target role), ownership is new.
    await emit(
        gaps(
            "E1",
            "eng.senior",
            {"craft": (2, 2), "design": (1, 3), "ownership": (1, 3)},
            reference="target",
            assessment_id="asm-2",
        ),
        tenant=tenant,
        source="assessments",
    )
    await wait_until(svc, "SELECT count(*) FROM plans.goals WHERE plan_id = $1", plan_id, want=4)
    by_status = {
        (r["competency_id"], r["status"])
        for r in (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()["goals"]
    }
    assert by_status == {
        ("craft", "achieved"),
        ("design", "superseded"),
        ("design", "open"),
        ("ownership", "open"),
    }

    # E1 moves (an internal fill): the plan closes.
    await emit(
        RoleFilled(
            opportunity_id="opp-1",
            internal=True,
            employee_id="E1",
            from_role_id="eng.engineer",
            to_role_id="eng.senior",
            move_kind=MoveKind.PROMOTION,
            posted_at=datetime.now(UTC) - timedelta(days=30),
            filled_at=datetime.now(UTC),
        ),
        tenant=tenant,
        source="mobility",
    )
    await wait_until(
        svc, "SELECT outcome FROM plans.plans WHERE plan_id = $1", plan_id, want="closed_on_move"
    )

    # Suggest mode: gaps give a suggestion; nothing is published until it is accepted.
    assert (
        await c.put(
            "/v1/settings", json={"plan_mode": "suggest"}, headers=auth(tenant, "HR", "hr_admin")
        )
    ).status_code == 200
    _problem(await c.put("/v1/settings", json={"plan_mode": "suggest"}, headers=m), 403)
    await emit(gaps("E2", "eng.engineer", {"craft": (1, 2)}), tenant=tenant, source="assessments")
    suggested = await _plan_of(svc, tenant, "E2", status="suggested")
    assert (
        await svc.scalar(
            "SELECT count(*) FROM plans.outbox WHERE value::text LIKE $1", f"%{suggested}%"
        )
        == 0
    )
    accepted = await c.post(f"/v1/plans/{suggested}/accept", headers=m)
    assert accepted.json()["status"] == "draft"

    # E2 leaves: their plan closes.
    await emit(terminated("E2"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT outcome FROM plans.plans WHERE plan_id = $1",
        suggested,
        want="closed_on_termination",
    )


async def test_conversations_guides_and_follow_ups(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    e1, m, e2 = auth(tenant, "E1"), auth(tenant, "M"), auth(tenant, "E2")
    hr = auth(tenant, "HR", "hr_admin")
    async with event_tap(CONVERSATION) as tap:
        logged = await c.post(
            "/v1/conversations",
            json={
                "employee_id": "E1",
                "kind": "promotion",
                "held_at": datetime.now(UTC).isoformat(),
                "notes": "wants to lead the payments rewrite",
                "follow_ups": ["practise system design on the rewrite", "find a mentor"],
            },
            headers=m,
        )
        assert logged.status_code == 201, logged.text
        held = _validate(await tap.wait_for(1, tenant=tenant))
    assert held[0]["data"]["follow_ups"] == 2
    assert "notes" not in held[0]["data"]  # private notes never leave the service
    cid = logged.json()["conversation_id"]
    _problem(
        await c.post(
            "/v1/conversations",
            json={"employee_id": "E1", "held_at": datetime.now(UTC).isoformat()},
            headers=e2,
        ),
        404,
    )
    future = await c.post(
        "/v1/conversations",
        json={"employee_id": "E1", "held_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
        headers=m,
    )
    assert "in the future" in _problem(future, 422)["detail"]

    mine = (await c.get("/v1/employees/E1/conversations", headers=e1)).json()
    assert mine[0]["notes"] == "wants to lead the payments rewrite"
    hr_view = (await c.get("/v1/employees/E1/conversations", headers=hr)).json()
    assert hr_view[0]["notes"] is None
    assert hr_view[0]["follow_ups"][0]["text"] is None
    _problem(await c.get("/v1/employees/E1/conversations", headers=e2), 404)

    goal = await c.post(
        f"/v1/conversations/{cid}/follow-ups/0/goal",
        json={
            "competency_id": "design",
            "to_level": 3,
            "from_level": 2,
            "target_date": (date.today() + timedelta(days=90)).isoformat(),
        },
        headers=m,
    )
    assert goal.status_code == 201, goal.text
    plan = (await c.get(f"/v1/plans/{goal.json()['plan_id']}", headers=e1)).json()
    assert [(g["competency_id"], g["source"]) for g in plan["goals"]] == [("design", "follow_up")]
    twice = await c.post(
        f"/v1/conversations/{cid}/follow-ups/0/goal",
        json={"competency_id": "design", "to_level": 3},
        headers=m,
    )
    assert "already goal" in _problem(twice, 409)["detail"]
    _problem(
        await c.post(
            f"/v1/conversations/{cid}/follow-ups/7/goal",
            json={"competency_id": "design", "to_level": 3},
            headers=m,
        ),
        404,
    )

    guides = (await c.get("/v1/guides?from_role=eng.engineer", headers=e1)).json()
    assert {g["to_role_id"] for g in guides} == {
        "eng.senior",
        "eng.lead",
    }  # the branch to both tracks
    lead = next(g for g in guides if g["to_role_id"] == "eng.lead")
    assert lead["transition"] == "promotion"
    changes = {i["competency_id"]: i for i in lead["competencies"]}
    assert changes["leadership"]["change"] == "new"
    assert changes["craft"]["change"] == "grow"
    assert changes["craft"]["then"] == "craft 3"
    assert changes["craft"]["questions"]
    _problem(await c.get("/v1/guides?from_role=eng.lead", headers=e1), 404)  # the top of its track

    # Another tenant sees nothing.
    other = auth(f"{tenant}x", "HR", "hr_admin")
    _problem(await c.get(f"/v1/plans/{goal.json()['plan_id']}", headers=other), 404)
    assert (await c.get("/v1/plans", headers=other)).json() == []
    _problem(await c.get("/v1/guides?from_role=eng.engineer", headers=other), 404)


async def test_a_catalogue_entry_whose_levels_are_upside_down_names_the_field(
    svc: RunningService, tenant: str
) -> None:
    body = {
        "title": "System design course",
        "kind": "course",
        "competency_id": "system-design",
        "min_level": 3,
        "max_level": 2,
        "effort_weeks": 4,
    }
    hr = auth(tenant, "HR", "hr_admin")
    problem = _problem(await svc.client.put("/v1/catalogue/sd", json=body, headers=hr), 422)
    assert problem["errors"][0]["field"] == "body.max_level"
    assert "min_level 3 is above max_level 2" in problem["errors"][0]["message"]
    assert (
        await svc.client.put("/v1/catalogue/sd", json={**body, "max_level": 3}, headers=hr)
    ).status_code == 200


async def test_retired_catalogue_entries_are_no_longer_suggested(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    await _company(svc, emit, tenant)
    hr, m = auth(tenant, "HR", "hr_admin"), auth(tenant, "M")
    entry = {
        "title": "Craft clinic",
        "kind": "course",
        "competency_id": "craft",
        "min_level": 0,
        "max_level": 5,
        "effort_weeks": 1,
    }
    assert (await c.put("/v1/catalogue/clinic", json=entry, headers=hr)).status_code == 200
    await emit(gaps("E1", "eng.engineer", {"craft": (1, 2)}), tenant=tenant, source="assessments")
    plan_id = await _plan_of(svc, tenant, "E1")
    (goal,) = (await c.get(f"/v1/plans/{plan_id}", headers=m)).json()["goals"]

    async def suggested() -> set[str]:
        r = await c.get(f"/v1/goals/{goal['goal_id']}/suggestions", headers=m)
        assert r.status_code == 200, r.text
        return {e["entry_id"] for e in r.json()}

    before = await suggested()
    assert "clinic" in before
    seeded = sorted(before - {"clinic"})[0]

    # Only HR retires; an unknown entry is 404; a bad id names the field.
    _problem(await c.post("/v1/catalogue/clinic/retire", headers=m), 403)
    _problem(await c.post("/v1/catalogue/nothing/retire", headers=hr), 404)
    bad = _problem(await c.post("/v1/catalogue/%01x/retire", headers=hr), 422)
    assert "entry_id" in json.dumps(bad)
    retired = await c.post("/v1/catalogue/clinic/retire", headers=hr)
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired_at"]
    assert retired.json()["retired_by"] == "HR"
    assert (await c.post(f"/v1/catalogue/{seeded}/retire", headers=hr)).status_code == 200
    assert await suggested() == before - {"clinic", seeded}
    # The goal keeps the actions it already has; the catalogue shows what is retired.
    kept = (await c.get(f"/v1/plans/{plan_id}", headers=m)).json()["goals"][0]["actions"]
    assert [a["title"] for a in kept] == [a["title"] for a in goal["actions"]]
    listed = {e["entry_id"]: e for e in (await c.get("/v1/catalogue", headers=hr)).json()}
    assert listed["clinic"]["retired_at"]
    assert listed[seeded]["retired_at"]
    # A seeded entry retired by one tenant is still in use for the others.
    other = {
        e["entry_id"]: e
        for e in (await c.get("/v1/catalogue", headers=auth(f"{tenant}x", "HR", "hr_admin"))).json()
    }
    assert other[seeded]["retired_at"] is None

    back = await c.post("/v1/catalogue/clinic/reinstate", headers=hr)
    assert back.status_code == 200
    assert back.json()["retired_at"] is None
    assert await suggested() == before - {seeded}
