"""Learning figures against real Kafka and PostgreSQL, worked out by hand from the events
below (in the comments): courses completed, the LMS's share of plan actions done, days from
a plan's approval to an LMS completion; a voided record and an out-of-order update do not
count; a population under the anonymity threshold is suppressed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from careerstream.contracts.events import hris as h
from careerstream.contracts.events import learning as lr
from careerstream.contracts.events import plans as p
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
WINDOW = "from=2025-01-01&to=2026-01-01"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=3) as running:
        yield running


def _hire(emp: str, dept: str) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=at("2024-01-01"),
        details=h.EmploymentDetails(role_id="eng.engineer", department_id=dept),
    )


def _completed(sid: str, emp: str, day: str) -> lr.LearningCompleted:
    return lr.LearningCompleted(
        statement_id=sid,
        employee_id=emp,
        source_id="moodle",
        activity_id=f"https://lms.example/course/{sid}",
        verb=lr.LearningVerb.COMPLETED,
        occurred_at=at(day),
        stored_at=at(day),
    )


def _action(
    aid: str, plan: str, emp: str, status: p.ActionStatus, via: p.ActionVia, day: str
) -> p.ActionUpdated:
    return p.ActionUpdated(
        plan_id=plan,
        goal_id=f"g-{plan}",
        action_id=aid,
        employee_id=emp,
        kind=p.ActionKind.COURSE,
        status=status,
        progress=100 if status is p.ActionStatus.DONE else 0,
        via=via,
        learning_statement_id="s" if via is p.ActionVia.LMS else None,
        updated_at=at(day),
    )


async def test_learning_figures_worked_out_by_hand(svc: RunningService, emit: Emit) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    done, planned, moving = p.ActionStatus.DONE, p.ActionStatus.PLANNED, p.ActionStatus.IN_PROGRESS
    lms, hand = p.ActionVia.LMS, p.ActionVia.HAND
    # A, B, C, D in D1; E, F in D2: six people employed all of 2025.
    await emit(*(_hire(e, "D1") for e in "ABCD"), *(_hire(e, "D2") for e in "EF"), tenant=tenant)
    await emit(
        p.PlanCreated(
            plan_id="PA",
            employee_id="A",
            period_start=date(2025, 2, 1),
            period_end=date(2025, 8, 1),
            status=p.PlanStatus.DRAFT,
            created_at=at("2025-01-25"),
        ),
        p.PlanApproved(
            plan_id="PA", employee_id="A", approved_by="M", approved_at=at("2025-02-01")
        ),
        p.PlanCreated(
            plan_id="PB",
            employee_id="B",
            period_start=date(2025, 3, 1),
            period_end=date(2025, 9, 1),
            status=p.PlanStatus.ACTIVE,
            created_at=at("2025-03-01"),
        ),
        # a1: A, through the LMS, 10 days after PA's approval; a2: B, 20 days after PB's.
        _action("a1", "PA", "A", done, lms, "2025-02-11"),
        _action("a2", "PB", "B", done, lms, "2025-03-21"),
        # a3: A, ticked by hand.
        _action("a3", "PA", "A", done, hand, "2025-06-01"),
        # a4: B ticked it (04-01) and reopened it (04-05); the reopening arrives first.
        _action("a4", "PB", "B", planned, hand, "2025-04-05"),
        _action("a4", "PB", "B", done, hand, "2025-04-01"),
        # a5: A, in progress from the LMS.
        _action("a5", "PA", "A", moving, lms, "2025-07-01"),
        tenant=tenant,
        source="plans",
    )
    await emit(
        _completed("s1", "A", "2025-02-11"),
        _completed("s2", "A", "2025-04-01"),
        _completed("s3", "B", "2025-03-21"),
        _completed("s4", "C", "2024-12-01"),  # before the window
        _completed("s5", "D", "2025-05-01"),
        lr.LearningVoided(
            statement_id="s5", employee_id="D", voided_by="v5", voided_at=at("2025-05-02")
        ),
        _completed("s1", "A", "2025-02-11"),  # delivered again
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM metrics.plan_actions WHERE tenant_id = $1", tenant, want=5
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.learning_completions WHERE tenant_id = $1 AND voided",
        tenant,
        want=1,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.plans WHERE tenant_id = $1 AND approved_at IS NOT NULL",
        tenant,
        want=2,
    )
    hr = auth(tenant, "HR", "hr_admin")
    r = await svc.client.get(f"/v1/metrics/learning?{WINDOW}", headers=hr)
    assert r.status_code == 200, r.text
    got: dict[str, Any] = r.json()
    assert got["suppressed"] is False
    # s1, s2, s3 in 2025 (s4 before it, s5 voided): 3 courses by A and B, of 6 people.
    assert got["courses_completed"] == 3
    assert got["people_who_completed_a_course"] == 2
    assert got["courses_completed_per_employee"] == 0.5
    # Done in 2025: a1, a2 (LMS), a3 (hand); a4 was reopened, a5 is in progress.
    assert got["plan_actions_done"] == 3
    assert got["plan_actions_done_through_lms"] == 2
    assert got["lms_share_of_plan_actions_done"] == round(2 / 3, 4)
    # 10 and 20 days from approval to the LMS's completion.
    assert got["plan_to_lms_completion_median_days"] == 15.0

    # D2 holds two people, under the threshold of 3: nothing is shown.
    small = (
        await svc.client.get(f"/v1/metrics/learning?{WINDOW}&department=D2", headers=hr)
    ).json()
    assert small["suppressed"] is True
    assert "courses_completed" not in small
    # Employees read no company figures.
    denied = await svc.client.get(f"/v1/metrics/learning?{WINDOW}", headers=auth(tenant, "A"))
    assert denied.status_code == 403
