"""Development actions ranked by what closed gaps before, on real Kafka and PostgreSQL: with
no evidence today's rule decides; once a company's goals show which actions closed gaps,
the suggestions (and the actions a new goal starts with) follow, and say why."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, gaps, hired, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.plans.service_layer.plans import forget_evidence

from .test_plans_api import _plan_of

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
PEOPLE = [f"E{i:02d}" for i in range(1, 14)]


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("plans") as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def _goal(svc: RunningService, tenant: str, who: str) -> dict[str, Any]:
    plan_id = await _plan_of(svc, tenant, who)
    plan = (await svc.client.get(f"/v1/plans/{plan_id}", headers=auth(tenant, who))).json()
    (goal,) = plan["goals"]
    return dict(goal)


async def test_suggestions_follow_what_closed_gaps(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    c = svc.client
    forget_evidence()
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        *(hired(p, "eng.engineer", "M") for p in PEOPLE),
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM plans.employees WHERE tenant_id = $1", tenant, want=15
    )
    await wait_until(svc, "SELECT count(*) FROM plans.roles WHERE tenant_id = $1", tenant, want=3)
    await emit(
        *(gaps(p, "eng.engineer", {"craft": (1, 2)}) for p in PEOPLE[:12]),
        tenant=tenant,
        source="assessments",
    )
    m = auth(tenant, "M")
    first = await _goal(svc, tenant, "E01")
    before = (await c.get(f"/v1/goals/{first['goal_id']}/suggestions", headers=m)).json()
    # No evidence yet: today's rule (a gap of 1: practice first), and it says so.
    assert before[0]["kind"] == "stretch_assignment"
    assert {s["evidence"]["basis"] for s in before} == {"rule"}
    assert before[0]["evidence"]["why"] == "no stretch assignments for a gap like this in Craft yet"

    # Six people took the foundations course and closed the gap; six did the stretch
    # assignment and did not.
    target = (date.today() + timedelta(days=30)).isoformat()
    for i, person in enumerate(PEOPLE[:12]):
        me = auth(tenant, person)
        goal = first if person == "E01" else await _goal(svc, tenant, person)
        if i < 6:
            added = await c.post(
                f"/v1/goals/{goal['goal_id']}/actions",
                json={
                    "kind": "course",
                    "title": "Foundations course: craft",
                    "owner_id": person,
                    "target_date": target,
                    "entry_id": "seed-course-foundations",
                },
                headers=me,
            )
            assert added.status_code == 201, added.text
            action, outcome = added.json()["action_id"], "achieved"
        else:
            action = next(
                a["action_id"] for a in goal["actions"] if a["kind"] == "stretch_assignment"
            )
            outcome = "dropped"
        done = await c.post(f"/v1/actions/{action}/status", json={"status": "done"}, headers=me)
        assert done.status_code == 200, done.text
        closed = await c.post(
            f"/v1/goals/{goal['goal_id']}/complete", json={"outcome": outcome}, headers=me
        )
        assert closed.status_code == 200, closed.text

    # The next person's goal starts with the course, and the suggestions say why.
    forget_evidence()
    await emit(gaps("E13", "eng.engineer", {"craft": (1, 2)}), tenant=tenant, source="assessments")
    goal = await _goal(svc, tenant, "E13")
    assert goal["actions"][0]["kind"] == "course"
    after = (await c.get(f"/v1/goals/{goal['goal_id']}/suggestions", headers=m)).json()
    assert after[0]["entry_id"] == "seed-course-foundations"
    course = after[0]["evidence"]
    assert course["basis"] == "evidence"
    assert (course["closed"], course["total"]) == (6, 6)
    assert course["why"].startswith("closed a gap of about 1 level in Craft for 6 of 6 people")
    low, high = course["interval"]
    assert low < course["estimate"] < high
    stretch = next(s for s in after if s["kind"] == "stretch_assignment")
    assert (stretch["evidence"]["closed"], stretch["evidence"]["total"]) == (0, 6)
    assert after[-1]["kind"] == "stretch_assignment"  # clearly did not work here: last
    # Someone else's goal is not the caller's to read.
    other = await c.get(f"/v1/goals/{goal['goal_id']}/suggestions", headers=auth(tenant, "E01"))
    assert other.status_code == 404
