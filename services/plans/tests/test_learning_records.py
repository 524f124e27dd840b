"""Learning records move plans, on real Kafka and PostgreSQL: an LMS activity maps to a
catalogue entry (by hand, or by importing the LMS's course catalogue with a preview); a
record that came before its activity was mapped is replayed when it is; completed is done,
progressed moves the progress, failed leaves the action open and the plan says so; a goal
whose every action is done is achieved; a redelivered record changes nothing; a voided one
no longer counts."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from careerstream.contracts.events.learning import (
    LearningCompleted,
    LearningProgressed,
    LearningVerb,
    LearningVoided,
)
from careerstream.contracts.topics import PLAN
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, gaps, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
COURSE = "https://moodle.acme.example/course/view.php?id=42"
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("plans") as running:
        yield running


def _problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def _record(
    verb: LearningVerb, at: datetime, **over: Any
) -> LearningCompleted | LearningProgressed:
    common: dict[str, Any] = {
        "statement_id": str(uuid.uuid4()),
        "employee_id": "E1",
        "source_id": "moodle",
        "activity_id": COURSE,
        "activity_name": "SQL foundations",
        "verb": verb,
        "occurred_at": at,
        "stored_at": at,
        **over,
    }
    if verb in (LearningVerb.COMPLETED, LearningVerb.PASSED):
        return LearningCompleted(**common)
    return LearningProgressed(**common)


async def _action(c: httpx.AsyncClient, plan_id: str, action_id: str, who: dict[str, str]) -> Any:
    plan = (await c.get(f"/v1/plans/{plan_id}", headers=who)).json()
    for g in plan["goals"]:
        for a in g["actions"]:
            if a["action_id"] == action_id:
                return g, a
    raise AssertionError(f"no action {action_id}")


async def test_learning_records_move_actions_goals_and_plans(
    svc: RunningService, emit: Emit, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    e1, m, hr = auth(tenant, "E1"), auth(tenant, "M"), auth(tenant, "HR", "hr_admin")
    await emit(
        framework(), hired("M", "eng.lead", None), hired("E1", "eng.engineer", "M"), tenant=tenant
    )
    await wait_until(
        svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=2
    )
    await wait_until(svc, "SELECT count(*) FROM plans.roles WHERE tenant_id = $1", tenant, want=3)
    await emit(
        gaps("E1", "eng.engineer", {"craft": (1, 2), "design": (1, 2)}),
        tenant=tenant,
        source="assessments",
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM plans.plans WHERE tenant_id = $1 AND status = 'draft'",
        tenant,
        want=1,
    )
    plan_id = await svc.scalar("SELECT plan_id FROM plans.plans WHERE tenant_id = $1", tenant)
    assert (await c.post(f"/v1/plans/{plan_id}/approve", headers=m)).status_code == 200
    plan = (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()
    craft = next(g for g in plan["goals"] if g["competency_id"] == "craft")

    # HR adds the LMS course to the catalogue; E1 plans it for the craft goal.
    entry = {
        "competency_id": "craft",
        "kind": "course",
        "title": "SQL foundations",
        "min_level": 1,
        "max_level": 3,
        "effort_weeks": 2,
    }
    assert (await c.put("/v1/catalogue/sql-course", json=entry, headers=hr)).status_code == 200
    target = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    action = {"kind": "course", "title": "SQL foundations", "owner_id": "E1", "target_date": target}
    unknown = _problem(
        await c.post(
            f"/v1/goals/{craft['goal_id']}/actions",
            json={**action, "entry_id": "no-such-course"},
            headers=e1,
        ),
        422,
    )
    assert "entry_id: no catalogue entry 'no-such-course'" in unknown["detail"]
    r = await c.post(
        f"/v1/goals/{craft['goal_id']}/actions",
        json={**action, "entry_id": "sql-course"},
        headers=e1,
    )
    assert r.status_code == 201, r.text
    course_id = r.json()["action_id"]
    # The goal's other actions are set aside by hand: the course is what is left to do.
    for other in craft["actions"]:
        r = await c.post(
            f"/v1/actions/{other['action_id']}/status", json={"status": "cancelled"}, headers=e1
        )
        assert r.status_code == 200, r.text

    async with event_tap(PLAN) as tap, event_tap(PLAN) as every:
        # 1. Progress before the activity is mapped: kept, waiting.
        progressed = _record(LearningVerb.PROGRESSED, T0, progress=40)
        await emit(progressed, tenant=tenant, source="hris")
        await wait_until(
            svc, "SELECT count(*) FROM plans.learning_records WHERE tenant_id = $1", tenant, want=1
        )
        waiting = (await c.get("/v1/learning/activities?mapped=false", headers=hr)).json()
        assert [(a["activity_id"], a["waiting"], a["people"]) for a in waiting] == [(COURSE, 1, 1)]
        _, a = await _action(c, plan_id, course_id, e1)
        assert (a["status"], a["progress"]) == ("planned", 0)

        # 2. HR imports the LMS's catalogue: a bad file is refused whole, naming each problem;
        #    the preview changes nothing; applying it maps the course and replays the record.
        bad = _problem(
            await c.post(
                "/v1/learning/catalogue-imports",
                content="activity_id,title,kind\nnot an iri,SQL,course\nhttps://x.example/c,,lecture\n",
                headers={**hr, "Content-Type": "text/csv"},
            ),
            422,
        )
        assert {(e["line"], e["field"]) for e in bad["errors"]} == {
            (2, "activity_id"),
            (3, "title"),
            (3, "kind"),
        }
        csv = (
            "activity_id,title,competency_id,kind,min_level,max_level,effort_weeks,entry_id\n"
            f"{COURSE},SQL foundations,craft,course,1,3,2,sql-course\n"
            "urn:li:lyndaCourse:189800,Learning SQL Programming,craft,course,1,2,1,\n"
        )
        ctype = {**hr, "Content-Type": "text/csv"}
        preview = (
            await c.post("/v1/learning/catalogue-imports", content=csv, headers=ctype)
        ).json()
        assert preview["applied"] is False
        assert [(x["entry_id"], x["entry"], x["records_waiting"]) for x in preview["courses"]] == [
            ("sql-course", "unchanged", 1),
            (preview["courses"][1]["entry_id"], "new", 0),
        ]
        assert preview["courses"][1]["entry_id"].startswith("lms-")
        _problem(
            await c.post(
                "/v1/learning/catalogue-imports",
                content=csv,
                headers={**e1, "Content-Type": "text/csv"},
            ),
            403,
        )
        assert (await c.get("/v1/learning/activities?mapped=true", headers=hr)).json() == []
        applied = (
            await c.post("/v1/learning/catalogue-imports?apply=true", content=csv, headers=ctype)
        ).json()
        assert (
            applied["applied"],
            applied["new"],
            applied["replayed"],
            applied["actions_moved"],
        ) == (
            True,
            1,
            1,
            1,
        )
        (moved,) = await tap.expect(
            {
                "type": "careerstream.plans.action.updated.v1",
                "data": {
                    "action_id": course_id,
                    "status": "in_progress",
                    "progress": 40,
                    "via": "lms",
                },
            },
            tenant=tenant,
        )
        assert moved["data"]["learning_statement_id"] == progressed.statement_id
        assert moved["data"]["entry_id"] == "sql-course"

        # 3. A failed attempt: the action stays open, and the plan says why.
        failed = _record(LearningVerb.FAILED, T0 + timedelta(days=1), success=False)
        await emit(failed, tenant=tenant, source="hris")
        await tap.expect(
            {
                "type": "careerstream.plans.action.updated.v1",
                "data": {"action_id": course_id, "status": "in_progress", "failed_attempt": True},
            },
            tenant=tenant,
        )
        goal, a = await _action(c, plan_id, course_id, e1)
        assert [x["verb"] for x in a["learning"]] == ["progressed", "failed"]
        assert goal["status"] == "open"

        # 4. Completed: the action is done from the LMS; its goal, all done, is achieved.
        done = _record(LearningVerb.PASSED, T0 + timedelta(days=2), success=True, score_scaled=0.9)
        await emit(done, tenant=tenant, source="hris")
        await emit(done, tenant=tenant, source="hris")  # delivered twice
        await tap.expect(
            {
                "type": "careerstream.plans.action.updated.v1",
                "data": {
                    "action_id": course_id,
                    "status": "done",
                    "via": "lms",
                    "learning_source_id": "moodle",
                },
            },
            {
                "type": "careerstream.plans.goal.completed.v1",
                "data": {"goal_id": craft["goal_id"], "outcome": "achieved"},
            },
            tenant=tenant,
        )
        goal, a = await _action(c, plan_id, course_id, e1)
        assert (a["status"], a["progress"], a["via"], goal["status"]) == (
            "done",
            100,
            "lms",
            "achieved",
        )
        plan = (await c.get(f"/v1/plans/{plan_id}", headers=e1)).json()
        assert plan["status"] == "active"  # the design goal is still open

        # 5. The LMS voids the completion: the action is what the other records say.
        await emit(
            LearningVoided(
                statement_id=done.statement_id,
                employee_id="E1",
                voided_by=str(uuid.uuid4()),
                voided_at=T0 + timedelta(days=3),
            ),
            tenant=tenant,
            source="hris",
        )
        await tap.expect(
            {
                "type": "careerstream.plans.action.updated.v1",
                "data": {"action_id": course_id, "status": "in_progress", "progress": 40},
            },
            tenant=tenant,
        )
        # The record delivered twice moved the action once: one update names it, no more.
        published = [
            json.loads(r.value) for r in await every.wait_for(1000, tenant=tenant, timeout=5)
        ]
        by_done = [
            e
            for e in published
            if e["type"] == "careerstream.plans.action.updated.v1"
            and e["data"]["learning_statement_id"] == done.statement_id
        ]
        assert len(by_done) == 1

    # Mapping by hand: an unknown entry is 404, a bad IRI is 422 naming it.
    _problem(
        await c.put("/v1/catalogue/nope/activities", json={"activity_ids": [COURSE]}, headers=hr),
        404,
    )
    bad_iri = _problem(
        await c.put(
            "/v1/catalogue/sql-course/activities", json={"activity_ids": ["sql course"]}, headers=hr
        ),
        422,
    )
    assert bad_iri["errors"][0]["field"].startswith("activity_ids")
    _problem(
        await c.put(
            "/v1/catalogue/sql-course/activities", json={"activity_ids": [COURSE]}, headers=m
        ),
        403,
    )
    # Only HR reads and maps LMS activities; another tenant's HR sees none of these.
    for who in (e1, m):
        _problem(await c.get("/v1/learning/activities", headers=who), 403)
    theirs = await c.get("/v1/learning/activities", headers=auth(f"{tenant}x", "HR", "hr_admin"))
    assert theirs.json() == []
    _problem(
        await c.put(
            "/v1/catalogue/sql-course/activities",
            json={"activity_ids": [COURSE]},
            headers=auth(f"{tenant}x", "HR", "hr_admin"),
        ),
        404,
    )
    ok = await c.put(
        "/v1/catalogue/sql-course/activities",
        json={"activity_ids": [COURSE, "https://moodle.acme.example/course/view.php?id=43"]},
        headers=hr,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["replayed"] == 0  # nothing waits: every record was applied
